DROP INDEX "tickets_organization_open_idx";--> statement-breakpoint
DROP INDEX "tickets_organization_closed_idx";--> statement-breakpoint
DROP INDEX "tickets_closed_idx";--> statement-breakpoint
CREATE INDEX "tickets_open_search_idx" ON "tickets" USING gin ("search") WHERE closed_at IS NULL;--> statement-breakpoint
CREATE INDEX "tickets_organization_open_idx" ON "tickets" USING btree ("organization_id","updated_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE closed_at IS NULL;--> statement-breakpoint
CREATE INDEX "tickets_organization_closed_idx" ON "tickets" USING btree ("organization_id","closed_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE closed_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tickets_closed_idx" ON "tickets" USING btree ("closed_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE closed_at IS NOT NULL;