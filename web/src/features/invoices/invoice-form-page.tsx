import { Alert, Anchor, Breadcrumbs, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useForm } from '@mantine/form';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { notifySuccess, showApiError } from '../../api/errors';
import { NotFoundPage } from '../../app/not-found-page';
import { PageError, PageLoader } from '../../components/page-state';
import { formatRate } from '../../lib/money';
import { usePageTitle } from '../../lib/use-page-title';
import { useOrganization } from '../organizations/organizations-api';
import { useBusinessDates } from '../settings/billing-api';
import {
  useInvoice,
  useSaveInvoice,
  useServiceCategories,
  useTaxRates,
  type Invoice,
  type InvoiceInput,
} from './invoices-api';
import {
  amountOf,
  computedDueDate,
  initialValues,
  liveTotals,
  noTax,
  quantityOf,
  toFormFieldErrors,
  validate,
  type InvoiceFormValues,
} from './invoice-form-values';
import { InvoiceHeaderFields } from './invoice-header-fields';
import { InvoiceLinesEditor } from './invoice-lines-editor';

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

  const selectedRate = taxRates.data?.find((rate) => rate.id === values.taxRateId);
  const ratePpm =
    values.taxRateId === noTax
      ? 0
      : (selectedRate?.ratePpm ??
        (invoice && invoice.taxRateId === values.taxRateId ? invoice.taxRatePpm : 0));
  // Live totals, in integer minor units (the server's figures win once saved).
  const { amounts, subtotal, tax } = liveTotals(values.lines, currency, ratePpm);

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
          <InvoiceHeaderFields
            form={form}
            invoice={invoice}
            organization={organization}
            dueDate={dueDate}
            categoryOptions={categoryOptions}
            taxOptions={taxOptions}
          />

          <InvoiceLinesEditor
            form={form}
            currency={currency}
            amounts={amounts}
            subtotal={subtotal}
            tax={tax}
            ratePpm={ratePpm}
          />

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
