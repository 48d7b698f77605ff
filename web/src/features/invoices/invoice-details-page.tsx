import { useState, type ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Box,
  Breadcrumbs,
  Button,
  Group,
  Loader,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconBan, IconFileTypePdf, IconPencil, IconSend, IconTrash } from '@tabler/icons-react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { errorMessage, notifyError, notifySuccess } from '../../api/errors';
import { NotFoundPage } from '../../app/not-found-page';
import { PageError, PageLoader } from '../../components/page-state';
import { formatDateTime, formatDay } from '../../lib/format';
import { formatMoney, formatRate } from '../../lib/money';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan } from '../auth/session';
import { InvoiceStatusBadge } from './invoice-status-badge';
import { InvoiceTotals } from './invoice-totals';
import {
  useDeleteInvoice,
  useInvoice,
  useInvoiceHtml,
  useIssueInvoice,
  useVoidInvoice,
  type Invoice,
} from './invoices-api';

export function InvoiceDetailsPage() {
  const { invoiceId = '' } = useParams();
  const invoice = useInvoice(invoiceId);
  usePageTitle(invoice.data ? `Invoice ${invoice.data.number}` : 'Invoice');

  if (invoice.isPending) return <PageLoader label="Loading invoice…" />;
  if (invoice.isError) {
    if (
      invoice.error instanceof ApiError &&
      (invoice.error.status === 404 || invoice.error.status === 400)
    ) {
      return (
        <NotFoundPage
          title="Invoice not found"
          message="No invoice has this address. It may have been deleted or mistyped."
        />
      );
    }
    return (
      <PageError
        error={invoice.error}
        title="Could not load this invoice"
        onRetry={() => void invoice.refetch()}
      />
    );
  }
  return <InvoiceDetails key={invoice.data.id} invoice={invoice.data} />;
}

function InvoiceDetails({ invoice }: { invoice: Invoice }) {
  const canManage = useCan('manage_clients');
  const navigate = useNavigate();
  const issue = useIssueInvoice(invoice.id);
  const remove = useDeleteInvoice(invoice.id);
  const [voidOpened, setVoidOpened] = useState(false);
  const isDraft = invoice.state === 'draft';
  const isIssued = invoice.state === 'issued';
  const hasPayments = invoice.amountPaidCents > 0;
  const money = (cents: number) => formatMoney(cents, invoice.currency);

  const confirmIssue = () =>
    modals.openConfirmModal({
      title: `Issue invoice ${invoice.number}?`,
      children: (
        <Text size="sm">
          {invoice.organizationName} will owe {money(invoice.totalCents)}, due{' '}
          {formatDay(invoice.dueDate)}. An issued invoice can no longer be edited or deleted, only
          voided.
        </Text>
      ),
      labels: { confirm: 'Issue Invoice', cancel: 'Cancel' },
      onConfirm: () =>
        issue.mutate(undefined, {
          onSuccess: ({ invoice: issued }) => notifySuccess(`Invoice ${issued.number} issued`),
          onError: (error) => notifyError(error, 'Invoice not issued'),
        }),
    });

  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete draft ${invoice.number}?`,
      children: <Text size="sm">The draft and its lines are deleted. This cannot be undone.</Text>,
      labels: { confirm: 'Delete', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        remove.mutate(undefined, {
          onSuccess: () => {
            notifySuccess(`Draft ${invoice.number} deleted`);
            void navigate('/invoices');
          },
          onError: (error) => notifyError(error, 'Draft not deleted'),
        }),
    });

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to="/invoices">
          Invoices
        </Anchor>
        <Text>{invoice.number}</Text>
      </Breadcrumbs>

      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={1}>Invoice {invoice.number}</Title>
            <InvoiceStatusBadge
              status={invoice.status}
              daysOverdue={invoice.daysOverdue}
              size="lg"
            />
          </Group>
          <Anchor component={Link} to={`/organizations/${invoice.organizationId}`}>
            {invoice.organizationName}
          </Anchor>
        </Stack>
        <Group gap="xs">
          {isDraft && canManage && (
            <>
              <Button
                variant="default"
                onClick={() => void navigate(`/invoices/${invoice.id}/edit`)}
                leftSection={<IconPencil size={16} />}
              >
                Edit
              </Button>
              <Button
                variant="default"
                color="red"
                leftSection={<IconTrash size={16} />}
                onClick={confirmDelete}
                loading={remove.isPending}
              >
                Delete
              </Button>
              <Button
                leftSection={<IconSend size={16} />}
                onClick={confirmIssue}
                loading={issue.isPending}
              >
                Issue Invoice
              </Button>
            </>
          )}
          {isIssued && canManage && (
            <Button
              variant="default"
              color="red"
              leftSection={<IconBan size={16} />}
              onClick={() => setVoidOpened(true)}
              disabled={hasPayments}
              aria-describedby={hasPayments ? 'void-unavailable' : undefined}
            >
              Void
            </Button>
          )}
          <Button
            variant="default"
            component="a"
            href={`/api/invoices/${invoice.id}/pdf`}
            target="_blank"
            rel="noopener"
            leftSection={<IconFileTypePdf size={16} />}
          >
            View PDF
          </Button>
        </Group>
      </Group>

      {isIssued && canManage && hasPayments && (
        <Text size="sm" c="dimmed" id="void-unavailable">
          This invoice cannot be voided: {money(invoice.amountPaidCents)} has been paid on it.
          Refund or reallocate the payments first.
        </Text>
      )}
      {invoice.state === 'void' && (
        <Alert color="red" variant="light" title="Void">
          <Text size="sm">
            Voided {formatDateTime(invoice.voidedAt)}
            {invoice.voidReason ? `: ${invoice.voidReason}` : ''}
          </Text>
        </Alert>
      )}

      <Paper withBorder p="lg" component="section" aria-labelledby="invoice-summary-heading">
        <Title order={2} size="h4" id="invoice-summary-heading" mb="md">
          Details
        </Title>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="lg">
          <Detail label="Issue date">{formatDay(invoice.issueDate)}</Detail>
          <Detail label="Due date">{formatDay(invoice.dueDate)}</Detail>
          <Detail label="Terms">{invoice.terms}</Detail>
          <Detail label="Category">{invoice.serviceCategoryName}</Detail>
          <Detail label="Tax rate">
            {invoice.taxRateId
              ? `${invoice.taxRateName ?? 'Tax'} (${formatRate(invoice.taxRatePpm)})`
              : 'No tax'}
          </Detail>
          <Detail label="External reference">{invoice.externalReference || '—'}</Detail>
          <Detail label="Issued">{formatDateTime(invoice.issuedAt, 'Not yet')}</Detail>
          <Detail label="Created">{formatDateTime(invoice.createdAt)}</Detail>
        </SimpleGrid>
        {invoice.memo && (
          <Box mt="md">
            <Detail label="Internal memo (staff only)">
              <span style={{ whiteSpace: 'pre-wrap' }}>{invoice.memo}</span>
            </Detail>
          </Box>
        )}
      </Paper>

      <Paper withBorder p="lg" component="section" aria-labelledby="invoice-lines-heading">
        <Title order={2} size="h4" id="invoice-lines-heading" mb="sm">
          Lines
        </Title>
        <Table.ScrollContainer minWidth={600}>
          <Table striped aria-labelledby="invoice-lines-heading">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Description</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Quantity</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Unit price</Table.Th>
                <Table.Th>Taxable</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Amount</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...invoice.lines]
                .sort((a, b) => a.position - b.position)
                .map((line) => (
                  <Table.Tr key={line.id}>
                    <Table.Td>{line.description}</Table.Td>
                    <Table.Td style={{ textAlign: 'right' }}>{line.quantity}</Table.Td>
                    <Table.Td style={{ textAlign: 'right' }}>{money(line.unitPriceCents)}</Table.Td>
                    <Table.Td>{line.taxable ? 'Yes' : 'No'}</Table.Td>
                    <Table.Td style={{ textAlign: 'right' }}>{money(line.amountCents)}</Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="flex-end" mt="sm">
          <InvoiceTotals
            currency={invoice.currency}
            rows={[
              ['Subtotal', invoice.subtotalCents],
              ['Tax', invoice.taxCents],
              ['Total', invoice.totalCents],
              ['Amount paid', invoice.amountPaidCents],
              [
                invoice.status === 'void' ? 'Balance (void: nothing is due)' : 'Balance',
                invoice.balanceCents,
              ],
            ]}
          />
        </Group>
      </Paper>

      <Paper withBorder p="lg" component="section" aria-labelledby="invoice-preview-heading">
        <Title order={2} size="h4" id="invoice-preview-heading" mb="sm">
          Preview
        </Title>
        <InvoicePreview invoice={invoice} />
      </Paper>

      <VoidInvoiceModal
        invoice={invoice}
        opened={voidOpened}
        onClose={() => setVoidOpened(false)}
      />
    </Stack>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" mb={4}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

/** The invoice as the client gets it, in a sandbox: no scripts, no same-origin access. */
function InvoicePreview({ invoice }: { invoice: Invoice }) {
  const html = useInvoiceHtml(
    invoice.id,
    `${invoice.status}:${invoice.balanceCents}:${invoice.totalCents}:${invoice.number}`,
  );
  if (html.isPending) {
    return (
      <Group gap="xs" role="status" py="md">
        <Loader size="sm" />
        <Text size="sm" c="dimmed">
          Loading preview…
        </Text>
      </Group>
    );
  }
  if (html.isError) {
    return (
      <Alert color="red" title="Could not load the preview">
        <Text size="sm">{errorMessage(html.error)}</Text>
      </Alert>
    );
  }
  return (
    <Box
      component="iframe"
      sandbox=""
      srcDoc={html.data}
      title="Invoice preview"
      style={{
        width: '100%',
        height: 900,
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 'var(--mantine-radius-md)',
        background: 'white',
      }}
    />
  );
}

function VoidInvoiceModal({
  invoice,
  opened,
  onClose,
}: {
  invoice: Invoice;
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Void invoice ${invoice.number}?`}>
      {opened && <VoidForm invoice={invoice} onClose={onClose} />}
    </Modal>
  );
}

function VoidForm({ invoice, onClose }: { invoice: Invoice; onClose: () => void }) {
  const voidInvoice = useVoidInvoice(invoice.id);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError('Give a reason for voiding');
      return;
    }
    voidInvoice.mutate(reason.trim(), {
      onSuccess: () => {
        notifySuccess(`Invoice ${invoice.number} voided`);
        onClose();
      },
      onError: (failure) => {
        const field =
          failure instanceof ApiError ? failure.fields.find((f) => f.field === 'reason') : null;
        if (field) setError(field.message);
        else notifyError(failure, 'Invoice not voided');
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">
          {invoice.organizationName} will no longer owe this invoice&apos;s{' '}
          {formatMoney(invoice.balanceCents, invoice.currency)}. The invoice is kept, marked Void.
        </Text>
        <Textarea
          label="Reason"
          required
          autosize
          minRows={2}
          data-autofocus
          value={reason}
          onChange={(event) => {
            setReason(event.currentTarget.value);
            setError(null);
          }}
          error={error}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" color="red" loading={voidInvoice.isPending}>
            Void Invoice
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
