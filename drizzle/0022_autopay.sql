CREATE TABLE "autopay_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"invoice_id" uuid NOT NULL,
	"rule_id" uuid,
	"cycle_due_date" date NOT NULL,
	"try_number" integer NOT NULL,
	"run_date" date NOT NULL,
	"payment_id" uuid,
	"amount_cents" bigint,
	"outcome" text NOT NULL,
	"reason" text,
	"next_try_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "autopay_organizations" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"required" boolean DEFAULT false NOT NULL,
	"required_at" timestamp with time zone,
	"required_by_staff_id" uuid,
	"authorization_text" text,
	"authorized_by" text,
	"authorized_at" timestamp with time zone,
	"authorization_recorded_by_staff_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "autopay_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"service_category_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"payment_method_id" uuid,
	"timing" text NOT NULL,
	"days" integer,
	"day_of_month" integer,
	"max_amount_cents" bigint,
	"locked_at" timestamp with time zone,
	"locked_by_staff_id" uuid,
	"created_by_contact_id" uuid,
	"created_by_staff_id" uuid,
	"updated_by_contact_id" uuid,
	"updated_by_staff_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "autopay_rules_days" CHECK (days IS NULL OR days BETWEEN 0 AND 365),
	CONSTRAINT "autopay_rules_day_of_month" CHECK (day_of_month IS NULL OR day_of_month BETWEEN 1 AND 31),
	CONSTRAINT "autopay_rules_cap_positive" CHECK (max_amount_cents IS NULL OR max_amount_cents > 0)
);
--> statement-breakpoint
CREATE TABLE "autopay_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_date" date NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"charged_count" integer DEFAULT 0 NOT NULL,
	"failed_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"charged_cents" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "autopay_runs_run_date_unique" UNIQUE("run_date")
);
--> statement-breakpoint
ALTER TABLE "autopay_attempts" ADD CONSTRAINT "autopay_attempts_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "autopay_attempts" ADD CONSTRAINT "autopay_attempts_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "autopay_attempts" ADD CONSTRAINT "autopay_attempts_rule_id_autopay_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."autopay_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "autopay_attempts" ADD CONSTRAINT "autopay_attempts_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "autopay_organizations" ADD CONSTRAINT "autopay_organizations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "autopay_rules" ADD CONSTRAINT "autopay_rules_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "autopay_rules" ADD CONSTRAINT "autopay_rules_payment_method_id_payment_methods_id_fk" FOREIGN KEY ("payment_method_id") REFERENCES "public"."payment_methods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "autopay_attempts_cycle_try_idx" ON "autopay_attempts" USING btree ("invoice_id","cycle_due_date","try_number");--> statement-breakpoint
CREATE INDEX "autopay_attempts_run_date_idx" ON "autopay_attempts" USING btree ("run_date");--> statement-breakpoint
CREATE INDEX "autopay_attempts_next_try_idx" ON "autopay_attempts" USING btree ("next_try_on") WHERE outcome = 'retry_scheduled';--> statement-breakpoint
CREATE INDEX "autopay_attempts_organization_idx" ON "autopay_attempts" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "autopay_rules_organization_idx" ON "autopay_rules" USING btree ("organization_id","position");