-- AutoPay rules saved before locked rules came first (docs/decisions/0037) keep their stored
-- order until their next save: an unlocked rule stored above a locked one. AutoPay matches
-- locked rules first whatever the order, but the stored positions are what the preview, the
-- AutoPay Configurations report, its CSV and the audit log number rules by. Each organization
-- whose stored order differs from the matching order is renumbered 1..n, locked rules first,
-- each group in its old order (position, then creation), with an audit row on its log
-- (autopay.renumbered: each rule's place before and after). Organizations in order already are
-- left as they are.
WITH ranked AS (
  SELECT id, organization_id, position AS old_position, locked_at IS NOT NULL AS locked,
         row_number() OVER (PARTITION BY organization_id
                            ORDER BY position, created_at, id)::int AS by_position,
         row_number() OVER (PARTITION BY organization_id
                            ORDER BY locked_at IS NULL, position, created_at, id)::int AS by_lock
    FROM autopay_rules),
moved AS (
  SELECT organization_id FROM ranked GROUP BY organization_id
  HAVING bool_or(by_position <> by_lock)),
renumbered AS (
  UPDATE autopay_rules r SET position = k.by_lock, updated_at = now()
    FROM ranked k JOIN moved m ON m.organization_id = k.organization_id
   WHERE r.id = k.id
  RETURNING r.id)
INSERT INTO audit_events (actor_kind, actor_label, organization_id, entity_type, entity_id,
                          entity_label, action, before, after)
SELECT 'system', 'Portico', k.organization_id, 'autopay', k.organization_id::text, 'AutoPay',
       'autopay.renumbered',
       jsonb_build_object('rules', jsonb_agg(jsonb_build_object(
         'id', k.id, 'position', k.old_position, 'locked', k.locked) ORDER BY k.by_position)),
       jsonb_build_object(
         'rules', jsonb_agg(jsonb_build_object(
           'id', k.id, 'position', k.by_lock, 'locked', k.locked) ORDER BY k.by_lock),
         'summary', jsonb_build_array(
           'The locked rules now come first, in the order AutoPay matches the rules'),
         'note', NULL)
  FROM ranked k JOIN moved m ON m.organization_id = k.organization_id
 GROUP BY k.organization_id;
