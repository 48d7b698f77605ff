import {
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Checkbox,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useForm } from '@mantine/form';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { notifySuccess, showApiError } from '../../api/errors';
import { NotFoundPage } from '../../app/not-found-page';
import { DateField } from '../../components/date-field';
import { PageError, PageLoader } from '../../components/page-state';
import { addDays } from '../../lib/format';
import {
  formatMoney,
  formatRate,
  lineAmountCents,
  minorToInput,
  parseAmount,
  parseQuantity,
  quantityToText,
  taxCents,
} from '../../lib/money';
import { maxLineDescriptionLength } from '../../../../src/shared/invoice-limits';
import { usePageTitle } from '../../lib/use-page-title';
import { useOrganization } from '../organizations/organizations-api';
import { useBusinessDates } from '../settings/billing-api';
import {
  invoiceTerms,
  termDays,
  useInvoice,
  useSaveInvoice,
  useServiceCategories,
  useTaxRates,
  type Invoice,
  type InvoiceInput,
  type InvoiceTerms,
} from './invoices-api';
import { InvoiceTotals as Totals } from './invoice-totals';
import { OrganizationSelect } from './organization-select';

interface LineValues {
  key: string;
  description: string;
  quantity: string;
  unitPrice: string;
  taxable: boolean;
}

interface InvoiceFormValues {
  organizationId: string;
  number: string;
  issueDate: string;
  terms: InvoiceTerms;
  /** Only read when dueDateManual: otherwise the due date follows the issue date and terms. */
  dueDate: string;
  dueDateManual: boolean;
  serviceCategoryId: string;
  /** A tax rate id, or noTax. */
  taxRateId: string;
  memo: string;
  externalReference: string;
  lines: LineValues[];
}

const noTax = 'none';
let lineKeySeed = 0;
const newLineKey = () => `line-${++lineKeySeed}`;
const emptyLine = (): LineValues => ({
  key: newLineKey(),
  description: '',
  quantity: '1',
  unitPrice: '',
  taxable: true,
});

const isTerms = (value: string): value is InvoiceTerms =>
  (invoiceTerms as readonly string[]).includes(value);

function computedDueDate(values: Pick<InvoiceFormValues, 'issueDate' | 'terms'>): string {
  return addDays(values.issueDate, termDays[values.terms]) ?? '';
}

/** /invoices/new (optionally ?organizationId=…) */
export function NewInvoicePage() {
  usePageTitle('New Invoice');
  const [searchParams] = useSearchParams();
  const organizationId = searchParams.get('organizationId') ?? '';
  // The issue date starts at today in the MSP's time zone, as the server says: not the browser's.
  const businessDates = useBusinessDates();
  if (businessDates.isPending) return <PageLoader label="Loading…" />;
  const today = businessDates.data?.today ?? '';
  return organizationId ? (
    <NewInvoiceForOrganization organizationId={organizationId} today={today} />
  ) : (
    <InvoiceFormPage invoice={null} today={today} />
  );
}

function NewInvoiceForOrganization({
  organizationId,
  today,
}: {
  organizationId: string;
  today: string;
}) {
  const organization = useOrganization(organizationId);
  if (organization.isPending) return <PageLoader label="Loading organization…" />;
  // An organization that cannot be read only means the picker starts empty.
  return (
    <InvoiceFormPage
      invoice={null}
      today={today}
      organization={
        organization.data ? { id: organization.data.id, name: organization.data.name } : undefined
      }
    />
  );
}

/** /invoices/:invoiceId/edit: drafts only. */
export function EditInvoicePage() {
  const { invoiceId = '' } = useParams();
  const invoice = useInvoice(invoiceId);
  usePageTitle(invoice.data ? `Edit ${invoice.data.number}` : 'Edit Invoice');

  if (invoice.isPending) return <PageLoader label="Loading invoice…" />;
  if (invoice.isError) {
    if (
      invoice.error instanceof ApiError &&
      (invoice.error.status === 404 || invoice.error.status === 400)
    ) {
      return <NotFoundPage title="Invoice not found" message="No invoice has this address." />;
    }
    return (
      <PageError
        error={invoice.error}
        title="Could not load this invoice"
        onRetry={() => void invoice.refetch()}
      />
    );
  }
  if (invoice.data.state !== 'draft') {
    return (
      <Alert color="yellow" title="Only drafts can be edited" my="md">
        <Text size="sm">
          Invoice {invoice.data.number} has been issued.{' '}
          <Anchor component={Link} to={`/invoices/${invoice.data.id}`}>
            Back to the invoice
          </Anchor>
        </Text>
      </Alert>
    );
  }
  return <InvoiceFormPage key={invoice.data.id} invoice={invoice.data} />;
}

function initialValues(
  invoice: Invoice | null,
  today: string,
  organization?: { id: string; name: string },
): InvoiceFormValues {
  if (!invoice) {
    return {
      organizationId: organization?.id ?? '',
      number: '',
      issueDate: today,
      terms: 'Net 30',
      dueDate: '',
      dueDateManual: false,
      serviceCategoryId: '',
      taxRateId: noTax,
      memo: '',
      externalReference: '',
      lines: [emptyLine()],
    };
  }
  const terms = isTerms(invoice.terms) ? invoice.terms : 'Net 30';
  return {
    organizationId: invoice.organizationId,
    number: invoice.number,
    issueDate: invoice.issueDate,
    terms,
    dueDate: invoice.dueDate,
    dueDateManual: invoice.dueDate !== computedDueDate({ issueDate: invoice.issueDate, terms }),
    serviceCategoryId: invoice.serviceCategoryId,
    taxRateId: invoice.taxRateId ?? noTax,
    memo: invoice.memo ?? '',
    externalReference: invoice.externalReference ?? '',
    lines: [...invoice.lines]
      .sort((a, b) => a.position - b.position)
      .map((line) => ({
        key: newLineKey(),
        description: line.description,
        quantity: line.quantity,
        unitPrice: minorToInput(line.unitPriceCents, invoice.currency),
        taxable: line.taxable,
      })),
  };
}

/**
 * The form's own checks. Prices are read in the invoice's currency (its minor units: ¥150 is
 * 150, $1.50 is 150), by the rule the server and the CSV import share.
 */
function validate(values: InvoiceFormValues, currency: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!values.organizationId) errors.organizationId = 'Choose an organization';
  if (!values.issueDate) errors.issueDate = 'Issue date is required';
  if (values.dueDateManual && values.dueDate && values.dueDate < values.issueDate) {
    errors.dueDate = 'Due date cannot be before the issue date';
  }
  if (!values.serviceCategoryId) errors.serviceCategoryId = 'Choose a service category';
  if (values.lines.length === 0) errors.lines = 'Add at least one line';
  values.lines.forEach((line, index) => {
    if (!line.description.trim()) errors[`lines.${index}.description`] = 'Description is required';
    else if (line.description.trim().length > maxLineDescriptionLength) {
      errors[`lines.${index}.description`] =
        `Description must be at most ${maxLineDescriptionLength.toLocaleString('en-US')} characters`;
    }
    const quantity = parseQuantity(line.quantity);
    if (!quantity.ok) errors[`lines.${index}.quantity`] = `Quantity ${quantity.message}`;
    const price = parseAmount(line.unitPrice, currency);
    if (!price.ok) errors[`lines.${index}.unitPrice`] = `Unit price ${price.message}`;
  });
  return errors;
}

/** A validated quantity as the API takes it ("1,000" → "1000"). */
function quantityOf(text: string): string {
  const parsed = parseQuantity(text);
  return parsed.ok ? quantityToText(parsed.value) : text;
}

/** A validated price in minor units. */
function amountOf(text: string, currency: string): number {
  const parsed = parseAmount(text, currency);
  return parsed.ok ? parsed.value : 0;
}

/** The server names a line's price unitPriceCents; the form's input is unitPrice. */
function toFormFieldErrors(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.fields.length === 0) return error;
  return new ApiError(
    error.status,
    error.code,
    error.message,
    error.fields.map((f) => ({
      ...f,
      field: f.field.replace(/^lines\.(\d+)\.unitPriceCents$/, 'lines.$1.unitPrice'),
    })),
  );
}

function InvoiceFormPage({
  invoice,
  today = '',
  organization,
}: {
  invoice: Invoice | null;
  /** Today's business date, from the server: where a new invoice's issue date starts. */
  today?: string;
  organization?: { id: string; name: string };
}) {
  const navigate = useNavigate();
  const categories = useServiceCategories();
  const taxRates = useTaxRates();
  const save = useSaveInvoice(invoice?.id ?? null);
  // The chosen organization's currency decides how a typed price is read.
  const currencyRef = useRef(invoice?.currency ?? 'USD');
  const form = useForm<InvoiceFormValues>({
    mode: 'controlled',
    initialValues: initialValues(invoice, today, organization),
    validate: (values) => validate(values, currencyRef.current),
  });
  const values = form.getValues();
  const chosenOrganization = useOrganization(values.organizationId);
  const currency =
    (chosenOrganization.data?.id === values.organizationId
      ? chosenOrganization.data.currency
      : undefined) ??
    invoice?.currency ??
    'USD';
  useEffect(() => {
    currencyRef.current = currency;
  }, [currency]);
  const title = invoice ? `Edit Invoice ${invoice.number}` : 'New Invoice';

  const dueDate = values.dueDateManual ? values.dueDate : computedDueDate(values);

  // Live totals, in integer cents (the server's figures win once saved).
  const amounts = values.lines.map((line) => {
    const quantity = parseQuantity(line.quantity);
    const price = parseAmount(line.unitPrice, currency);
    return quantity.ok && price.ok ? lineAmountCents(BigInt(quantity.value), price.value) : null;
  });
  const subtotal = amounts.reduce<number>((sum, amount) => sum + (amount ?? 0), 0);
  const taxable = amounts.reduce<number>(
    (sum, amount, index) => sum + (values.lines[index]?.taxable ? (amount ?? 0) : 0),
    0,
  );
  const selectedRate = taxRates.data?.find((rate) => rate.id === values.taxRateId);
  const ratePpm =
    values.taxRateId === noTax
      ? 0
      : (selectedRate?.ratePpm ??
        (invoice && invoice.taxRateId === values.taxRateId ? invoice.taxRatePpm : 0));
  const tax = taxCents(taxable, ratePpm);

  const categoryOptions = (categories.data ?? [])
    .filter((c) => !c.archivedAt || c.id === values.serviceCategoryId)
    .map((c) => ({ value: c.id, label: c.name }));
  if (invoice && !categoryOptions.some((o) => o.value === invoice.serviceCategoryId)) {
    categoryOptions.push({ value: invoice.serviceCategoryId, label: invoice.serviceCategoryName });
  }
  const taxOptions = [
    { value: noTax, label: 'No tax' },
    ...(taxRates.data ?? [])
      .filter((r) => !r.archivedAt || r.id === values.taxRateId)
      .map((r) => ({ value: r.id, label: `${r.name} (${formatRate(r.ratePpm)})` })),
  ];
  if (invoice?.taxRateId && !taxOptions.some((o) => o.value === invoice.taxRateId)) {
    taxOptions.push({
      value: invoice.taxRateId,
      label: `${invoice.taxRateName ?? 'Tax'} (${formatRate(invoice.taxRatePpm)})`,
    });
  }

  const submit = form.onSubmit(async (submitted) => {
    const input: InvoiceInput = {
      organizationId: submitted.organizationId,
      number: submitted.number.trim() || undefined,
      issueDate: submitted.issueDate,
      dueDate: submitted.dueDateManual && submitted.dueDate ? submitted.dueDate : undefined,
      terms: submitted.terms,
      serviceCategoryId: submitted.serviceCategoryId,
      taxRateId: submitted.taxRateId === noTax ? null : submitted.taxRateId,
      memo: submitted.memo.trim() || undefined,
      externalReference: submitted.externalReference.trim() || undefined,
      lines: submitted.lines.map((line) => ({
        description: line.description.trim(),
        quantity: quantityOf(line.quantity),
        unitPriceCents: amountOf(line.unitPrice, currency),
        taxable: line.taxable,
      })),
    };
    try {
      const { invoice: saved } = await save.mutateAsync(input);
      notifySuccess(`Draft ${saved.number} saved`);
      void navigate(`/invoices/${saved.id}`);
    } catch (error) {
      showApiError(toFormFieldErrors(error), form, 'Invoice not saved');
    }
  });

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to="/invoices">
          Invoices
        </Anchor>
        {invoice && (
          <Anchor component={Link} to={`/invoices/${invoice.id}`}>
            {invoice.number}
          </Anchor>
        )}
        <Text>{invoice ? 'Edit' : 'New Invoice'}</Text>
      </Breadcrumbs>
      <Title order={1}>{title}</Title>

      <form onSubmit={submit} noValidate aria-label={title}>
        <Stack gap="lg">
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
                onChange={(next) => {
                  form.setFieldValue('dueDate', next);
                  form.setFieldValue('dueDateManual', next !== '');
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

          <Paper withBorder p="lg" component="section" aria-labelledby="invoice-lines-heading">
            <Title order={2} size="h4" id="invoice-lines-heading" mb="sm">
              Lines
            </Title>
            <Table.ScrollContainer minWidth={760}>
              <Table verticalSpacing="xs" aria-labelledby="invoice-lines-heading">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Description</Table.Th>
                    <Table.Th w={120}>Quantity</Table.Th>
                    <Table.Th w={150}>Unit price</Table.Th>
                    <Table.Th w={80}>Taxable</Table.Th>
                    <Table.Th w={130} style={{ textAlign: 'right' }}>
                      Amount
                    </Table.Th>
                    <Table.Th w={60}>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {values.lines.map((line, index) => {
                    const n = index + 1;
                    const amount = amounts[index];
                    return (
                      <Table.Tr key={line.key} style={{ verticalAlign: 'top' }}>
                        <Table.Td>
                          {/* Descriptions run to a page (a scope of work): the box grows with them. */}
                          <Textarea
                            aria-label={`Description, line ${n}`}
                            autosize
                            minRows={1}
                            maxRows={12}
                            {...form.getInputProps(`lines.${index}.description`)}
                          />
                        </Table.Td>
                        <Table.Td>
                          <TextInput
                            aria-label={`Quantity, line ${n}`}
                            inputMode="decimal"
                            {...form.getInputProps(`lines.${index}.quantity`)}
                          />
                        </Table.Td>
                        <Table.Td>
                          <TextInput
                            aria-label={`Unit price, line ${n}`}
                            inputMode="decimal"
                            placeholder="0.00"
                            {...form.getInputProps(`lines.${index}.unitPrice`)}
                          />
                        </Table.Td>
                        <Table.Td>
                          <Checkbox
                            aria-label={`Taxable, line ${n}`}
                            mt={8}
                            {...form.getInputProps(`lines.${index}.taxable`, {
                              type: 'checkbox',
                            })}
                          />
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right', paddingTop: 14 }}>
                          <Text size="sm" aria-label={`Amount, line ${n}`}>
                            {amount === null || amount === undefined
                              ? '—'
                              : formatMoney(amount, currency)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Button
                            variant="subtle"
                            color="red"
                            size="compact-sm"
                            mt={6}
                            aria-label={`Remove line ${n}`}
                            disabled={values.lines.length === 1}
                            onClick={() => form.removeListItem('lines', index)}
                          >
                            <IconTrash size={16} />
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {form.errors.lines && (
              <Text c="red" size="sm" role="alert" mt="xs">
                {form.errors.lines}
              </Text>
            )}
            <Group justify="space-between" align="flex-start" mt="sm">
              <Button
                variant="default"
                leftSection={<IconPlus size={16} />}
                onClick={() => {
                  form.insertListItem('lines', emptyLine());
                  form.clearFieldError('lines');
                }}
              >
                Add line
              </Button>
              <Totals
                currency={currency}
                rows={[
                  ['Subtotal', subtotal],
                  [ratePpm ? `Tax (${formatRate(ratePpm)})` : 'Tax', tax],
                  ['Total', subtotal + tax],
                ]}
              />
            </Group>
          </Paper>

          <Group justify="flex-end">
            <Button
              variant="default"
              component={Link}
              to={invoice ? `/invoices/${invoice.id}` : '/invoices'}
            >
              Cancel
            </Button>
            <Button type="submit" loading={form.submitting}>
              Save Draft
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
