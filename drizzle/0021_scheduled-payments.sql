CREATE TABLE "scheduled_payment_allocations" (
	"scheduled_payment_id" uuid NOT NULL,
	"invoice_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	CONSTRAINT "scheduled_payment_allocations_scheduled_payment_id_invoice_id_pk" PRIMARY KEY("scheduled_payment_id","invoice_id"),
	CONSTRAINT "scheduled_payment_allocations_amount_positive" CHECK (amount_cents > 0)
);
--> statement-breakpoint
CREATE TABLE "scheduled_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"contact_id" uuid,
	"payment_method_id" uuid NOT NULL,
	"run_on" text NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"currency" text NOT NULL,
	"payment_id" uuid,
	"outcome_message" text,
	"created_by_contact_id" uuid,
	"created_by_staff_id" uuid,
	"changed_by_contact_id" uuid,
	"changed_by_staff_id" uuid,
	"cancelled_at" timestamp with time zone,
	"processed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scheduled_payments_run_on_date" CHECK (run_on ~ '^\d{4}-\d{2}-\d{2}$')
);
--> statement-breakpoint
ALTER TABLE "scheduled_payment_allocations" ADD CONSTRAINT "scheduled_payment_allocations_scheduled_payment_id_scheduled_payments_id_fk" FOREIGN KEY ("scheduled_payment_id") REFERENCES "public"."scheduled_payments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheduled_payment_allocations" ADD CONSTRAINT "scheduled_payment_allocations_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheduled_payments" ADD CONSTRAINT "scheduled_payments_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheduled_payments" ADD CONSTRAINT "scheduled_payments_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheduled_payments" ADD CONSTRAINT "scheduled_payments_payment_method_id_payment_methods_id_fk" FOREIGN KEY ("payment_method_id") REFERENCES "public"."payment_methods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheduled_payments" ADD CONSTRAINT "scheduled_payments_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "scheduled_payment_allocations_invoice_idx" ON "scheduled_payment_allocations" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "scheduled_payments_organization_idx" ON "scheduled_payments" USING btree ("organization_id","run_on");--> statement-breakpoint
CREATE INDEX "scheduled_payments_due_idx" ON "scheduled_payments" USING btree ("run_on") WHERE status IN ('scheduled', 'processing');