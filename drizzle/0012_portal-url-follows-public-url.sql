ALTER TABLE "settings" ALTER COLUMN "portal_url" SET DEFAULT '';--> statement-breakpoint
-- Earlier versions stored the first start's address (http://localhost:<PORT>/portal) when
-- seeding the demo, or kept the column's old default: neither was chosen by anyone, and both
-- kept links on that port after a restart on another one. Cleared, so links follow PUBLIC_URL;
-- an address a staff user entered in Configuration > Branding (audited) stays.
UPDATE "settings" SET "portal_url" = ''
 WHERE "portal_url" ~ '^http://localhost:[0-9]+/portal/?$'
   AND NOT EXISTS (
     SELECT 1 FROM "audit_events"
      WHERE "action" = 'settings.branding_updated' AND "after" ? 'portalUrl'
   );
