-- Invoice numbers become unique ignoring letter case. Numbers that already differ only in case
-- (INV-1261 beside inv-1261) are kept on the oldest invoice; each later one is renumbered by
-- appending "-2", "-3", … (the first suffix free in any case), with an audit row
-- (invoice.renumbered, before and after) on its organization's log and a NOTICE in the
-- migration output, so staff can find and tell the client. See docs/decisions/0011.
DROP INDEX "invoices_number_idx";--> statement-breakpoint
DO $$
DECLARE
  duplicate record;
  suffix integer;
  candidate text;
BEGIN
  FOR duplicate IN
    SELECT id, number, organization_id
      FROM (SELECT id, number, organization_id, created_at,
                   row_number() OVER (PARTITION BY lower(number) ORDER BY created_at, id) AS position
              FROM invoices) ranked
     WHERE position > 1
     ORDER BY lower(number), created_at, id
  LOOP
    suffix := 2;
    LOOP
      candidate := duplicate.number || '-' || suffix;
      EXIT WHEN NOT EXISTS (SELECT 1 FROM invoices WHERE lower(number) = lower(candidate));
      suffix := suffix + 1;
    END LOOP;
    UPDATE invoices SET number = candidate, updated_at = now() WHERE id = duplicate.id;
    INSERT INTO audit_events (actor_kind, actor_label, organization_id, entity_type, entity_id,
                              entity_label, action, before, after)
    VALUES ('system', 'Portico', duplicate.organization_id, 'invoice', duplicate.id::text,
            candidate, 'invoice.renumbered', jsonb_build_object('number', duplicate.number),
            jsonb_build_object('number', candidate));
    RAISE NOTICE 'Invoice % renumbered % (its number differed only in letter case from an older invoice)',
      duplicate.number, candidate;
  END LOOP;
END $$;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_number_lower_idx" ON "invoices" USING btree (lower("number"));
