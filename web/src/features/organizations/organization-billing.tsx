import { Button, Group, Stack, Switch, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { ApiError } from '../../api/client';
import { notifySuccess, showApiError } from '../../api/errors';
import { useSaveBilling, type Organization, type OrganizationBilling } from './organizations-api';

const currencyCode = /^[A-Za-z]{3}$/;

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
    transformValues: (values) => ({
      currency: values.currency.trim().toUpperCase(),
      newInvoiceEmails: values.newInvoiceEmails,
    }),
    validate: {
      currency: (value) =>
        currencyCode.test(value.trim()) ? null : 'Must be a 3-letter currency code such as USD',
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
        <TextInput
          label="Currency"
          description="3-letter code such as USD; fixed once the organization has invoices"
          maxLength={3}
          w={{ base: '100%', sm: 320 }}
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
