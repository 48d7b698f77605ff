-- The access profiles every installation starts with; staff may rename, change or delete them.
INSERT INTO access_profiles (name, permissions) VALUES
  ('Billing Admin', ARRAY['view_invoices','pay_invoices','view_payment_history','manage_payment_methods','manage_autopay','schedule_payments','view_credits','service_tickets']),
  ('Accounts Payable', ARRAY['view_invoices','pay_invoices','view_payment_history','manage_payment_methods','schedule_payments']),
  ('User', ARRAY['service_tickets']);
