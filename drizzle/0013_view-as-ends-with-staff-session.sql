ALTER TABLE "contacts" ADD COLUMN "last_portal_organization_id" uuid;--> statement-breakpoint
ALTER TABLE "portal_sessions" ADD COLUMN "viewer_staff_session_hash" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_last_portal_organization_id_organizations_id_fk" FOREIGN KEY ("last_portal_organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_sessions" ADD CONSTRAINT "portal_sessions_viewer_staff_session_hash_staff_sessions_token_hash_fk" FOREIGN KEY ("viewer_staff_session_hash") REFERENCES "public"."staff_sessions"("token_hash") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Stored copies of Welcome and Password Reset emails no longer hold a working link (it is minted
-- at delivery); copies stored before carry their token: replace it by the placeholder.
UPDATE "email_messages"
   SET "html" = regexp_replace("html", '(set-password|reset-password)\?token=[A-Za-z0-9_-]+', '\1?token=sent-to-the-recipient-only', 'g'),
       "text" = regexp_replace("text", '(set-password|reset-password)\?token=[A-Za-z0-9_-]+', '\1?token=sent-to-the-recipient-only', 'g')
 WHERE "template" IN ('welcome', 'password_reset');
