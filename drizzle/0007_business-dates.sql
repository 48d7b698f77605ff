ALTER TABLE "settings" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "settings" ADD COLUMN "date_format" text DEFAULT 'YYYY-MM-DD' NOT NULL;