ALTER TABLE "autopay_attempts" ADD COLUMN "not_reached" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Tries recorded before the column: those whose payment never reached the processor.
UPDATE "autopay_attempts" t SET "not_reached" = true
  FROM "payments" p
 WHERE p.id = t.payment_id AND p.failure_code = 'not_reached';
