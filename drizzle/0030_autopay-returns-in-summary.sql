ALTER TABLE "autopay_attempts" ADD COLUMN "returned_on" date;--> statement-breakpoint
ALTER TABLE "autopay_attempts" ADD COLUMN "return_reported_on" date;--> statement-breakpoint
CREATE INDEX "autopay_attempts_return_unreported_idx" ON "autopay_attempts" USING btree ("returned_on") WHERE returned_on IS NOT NULL AND return_reported_on IS NULL;