ALTER TABLE "settings" ADD COLUMN "autopay_run_time" text DEFAULT '06:00' NOT NULL;--> statement-breakpoint
ALTER TABLE "settings" ADD COLUMN "autopay_retry_count" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "settings" ADD COLUMN "autopay_retry_days" integer DEFAULT 3 NOT NULL;