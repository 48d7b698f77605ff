import { Stack, Text, Title } from '@mantine/core';
import { ReadOnlyNote } from '../../components/read-only-note';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan } from '../auth/session';
import { BusinessDatesSection } from './business-dates-section';
import { ServiceCategoriesSection, TaxRatesSection } from './catalog-sections';
import { InvoiceRemindersSection } from './invoice-reminders-section';
import { PaymentSettingsSection } from './payment-settings-section';
import { AutopayRunSection } from './autopay-run-section';
import { MonthlyProviderFeesSection } from '../payments/monthly-provider-fees';

/**
 * Configuration > Billing: business dates (time zone and date format), service categories,
 * tax rates, invoice due notices, payments (card and ACH on or off, the provider fee, the lock
 * after failed charges), the daily AutoPay run (its time and retries) and the provider fees by
 * month.
 */
export function BillingPage() {
  usePageTitle('Billing');
  const canEdit = useCan('manage_settings');

  return (
    <Stack gap="lg">
      <div>
        <Text size="sm" c="dimmed">
          Configuration
        </Text>
        <Title order={1}>Billing</Title>
      </div>
      {!canEdit && (
        <ReadOnlyNote>Read only: your role cannot change the billing settings</ReadOnlyNote>
      )}
      <BusinessDatesSection canEdit={canEdit} />
      <ServiceCategoriesSection canEdit={canEdit} />
      <TaxRatesSection canEdit={canEdit} />
      <InvoiceRemindersSection canEdit={canEdit} />
      <PaymentSettingsSection canEdit={canEdit} />
      <AutopayRunSection canEdit={canEdit} />
      <MonthlyProviderFeesSection />
    </Stack>
  );
}
