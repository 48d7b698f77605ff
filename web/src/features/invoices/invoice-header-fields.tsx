import { Anchor, Paper, Select, SimpleGrid, TextInput, Textarea } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { DateField } from '../../components/date-field';
import { invoiceTerms, type Invoice } from './invoices-api';
import type { InvoiceFormValues } from './invoice-form-values';
import { OrganizationSelect } from './organization-select';

/** The invoice form's header: organization, number, dates, terms, category, tax, memo. */
export function InvoiceHeaderFields({
  form,
  invoice,
  organization,
  dueDate,
  categoryOptions,
  taxOptions,
}: {
  form: UseFormReturnType<InvoiceFormValues>;
  invoice: Invoice | null;
  organization?: { id: string; name: string };
  /** The due date shown: as typed, or the one the terms give. */
  dueDate: string;
  categoryOptions: { value: string; label: string }[];
  taxOptions: { value: string; label: string }[];
}) {
  const values = form.getValues();
  return (
    <Paper withBorder p="lg">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        <OrganizationSelect
          label="Organization"
          placeholder="Search organizations"
          required
          selectedName={invoice?.organizationName ?? organization?.name}
          value={values.organizationId || null}
          onChange={(value) => form.setFieldValue('organizationId', value ?? '')}
          error={form.errors.organizationId}
        />
        <TextInput
          label="Number"
          placeholder="Assigned on save"
          description="Leave empty to use the next number"
          {...form.getInputProps('number')}
        />
        <DateField
          label="Issue date"
          required
          value={values.issueDate}
          onChange={(next) => form.setFieldValue('issueDate', next)}
          error={form.errors.issueDate}
        />
        <Select
          label="Terms"
          data={[...invoiceTerms]}
          allowDeselect={false}
          {...form.getInputProps('terms')}
        />
        <DateField
          label="Due date"
          // Emptying the box goes back to the date from the terms.
          allowDeselect
          description={
            values.dueDateManual ? (
              <Anchor
                component="button"
                type="button"
                size="xs"
                onClick={() => {
                  form.setFieldValue('dueDateManual', false);
                  form.clearFieldError('dueDate');
                }}
              >
                Use the date from the terms
              </Anchor>
            ) : (
              'From the issue date and terms'
            )
          }
          value={dueDate}
          onChange={(next, details) => {
            form.setFieldValue('dueDate', next);
            // Text that is not a date is not "back to the terms": the form refuses to save it.
            form.setFieldValue('dueDateManual', next !== '' || details?.unreadable === true);
          }}
          error={form.errors.dueDate}
        />
        <Select
          label="Service category"
          placeholder="Choose a category"
          required
          data={categoryOptions}
          allowDeselect={false}
          {...form.getInputProps('serviceCategoryId')}
        />
        <Select
          label="Tax rate"
          data={taxOptions}
          allowDeselect={false}
          {...form.getInputProps('taxRateId')}
        />
        <TextInput label="External reference" {...form.getInputProps('externalReference')} />
      </SimpleGrid>
      <Textarea
        label="Internal memo"
        description="For staff only. Never shown to the client: not in the portal, on the invoice PDF or in emails."
        autosize
        minRows={2}
        mt="md"
        {...form.getInputProps('memo')}
      />
    </Paper>
  );
}
