import { Button, Group, Select, Stack, Switch, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { ApiError } from '../../api/client';
import { notifySuccess, showApiError } from '../../api/errors';
import { useSaveBilling, type Organization, type OrganizationBilling } from './organizations-api';
import { formatMoney, offeredCurrencies } from '../../lib/money';

/**
 * What each choice shows: code, name and a sample amount in the currency's ISO 4217 digits,
 * so staff see how prices will be read before choosing (1,234.56 is 123456 minor units in a
 * two-digit currency; JPY shows ¥123,456).
 */
const sampleMinorUnits = 123_456;
const offeredOptions = offeredCurrencies.map(({ code, name }) => ({
  value: code,
  label: `${code} — ${name} (${formatMoney(sampleMinorUnits, code)})`,
}));

/**
 * The choices for this organization: the offered currencies, plus the one it holds if that was
 * chosen before the list existed (kept, but no other organization can choose it).
 */
function currencyOptions(current: string) {
  return offeredOptions.some((option) => option.value === current)
    ? offeredOptions
    : [{ value: current, label: `${current} (no longer offered)` }, ...offeredOptions];
}

/** The organization's invoice currency and whether new invoices are emailed. */
export function OrganizationBillingCard({
  organization,
  canEdit,
}: {
  organization: Organization;
  canEdit: boolean;
}) {
  const saveBilling = useSaveBilling(organization.id);
  // Initialised once: a refetch must not overwrite what is being typed.
  const form = useForm<OrganizationBilling>({
    mode: 'controlled',
    initialValues: {
      currency: organization.currency,
      newInvoiceEmails: organization.newInvoiceEmails,
    },
    validate: {
      currency: (value) => (value ? null : 'Choose a currency'),
    },
  });
  const dirty = form.isDirty();

  const submit = form.onSubmit((values) =>
    saveBilling.mutate(values, {
      onSuccess: ({ billing }) => {
        form.setInitialValues(billing);
        form.setValues(billing);
        form.resetDirty(billing);
        notifySuccess('Billing saved');
      },
      onError: (error) => {
        // The currency is fixed once there are invoices: the server says so in full.
        if (error instanceof ApiError && error.status === 409) {
          form.setFieldError('currency', error.message);
          return;
        }
        showApiError(error, form, 'Billing not saved');
      },
    }),
  );

  return (
    <form onSubmit={submit} noValidate aria-labelledby="organization-billing-heading">
      <Stack gap="sm">
        <Title order={2} size="h6" id="organization-billing-heading" tt="uppercase" c="dimmed">
          Billing
        </Title>
        <Select
          label="Currency"
          description="Fixed once the organization has invoices"
          data={currencyOptions(organization.currency)}
          searchable
          allowDeselect={false}
          nothingFoundMessage="No currency Portico offers matches"
          w={{ base: '100%', sm: 420 }}
          readOnly={!canEdit}
          {...form.getInputProps('currency')}
        />
        <Switch
          label="Email New Invoice (with PDF) to Default Notification Emails"
          disabled={!canEdit}
          {...form.getInputProps('newInvoiceEmails', { type: 'checkbox' })}
        />
        <Group justify="flex-end">
          <Button
            type="submit"
            leftSection={<IconDeviceFloppy size={16} />}
            loading={saveBilling.isPending}
            disabled={!canEdit || !dirty}
          >
            Save Billing
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
