import { useState } from 'react';
import {
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Checkbox,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconArrowLeft, IconCreditCard, IconDownload } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { LoadMore } from '../../components/load-more';
import { ResponsiveTable } from '../../components/responsive-table';
import { PageError } from '../../components/page-state';
import { PortalNotFoundPage } from './not-found-page';
import { formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import {
  usePortalInvoice,
  usePortalInvoiceHistory,
  usePortalOpenInvoices,
  type PortalInvoiceRow,
  type PortalOpenInvoices,
} from '../api/portal-invoices';
import { usePortalSession } from '../api/portal-session';
import { useScheduledPayments } from '../api/portal-scheduled-payments';
import { invoiceStatusLabels } from '../../../../src/shared/invoice-status';
import { EmptyState, PortalQueryState } from '../components/portal-query-state';
import { PaySelectedDialog } from './pay-selected';
import { usePortalTitle } from '../use-portal-title';
import { FeaturePage } from './feature-pages';

const invoicePath = (id: string) => `/portal/billing/invoices/${encodeURIComponent(id)}`;

function ViewInvoiceButton({ invoice }: { invoice: PortalInvoiceRow }) {
  return (
    <Button
      component={Link}
      to={invoicePath(invoice.id)}
      variant="light"
      size="compact-sm"
      aria-describedby={`invoice-number-${invoice.id}`}
    >
      View Invoice
    </Button>
  );
}

function Tile({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-label={label}>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value}
      </Text>
      {detail && (
        <Text size="sm" c="dimmed">
          {detail}
        </Text>
      )}
    </Card>
  );
}

function BalanceTiles({ data }: { data: PortalOpenInvoices }) {
  const { totals, oldestOpen } = data;
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }}>
      <Tile label="Total due" value={formatMoney(totals.balanceCents, totals.currency)} />
      <Tile label="Past due" value={formatMoney(totals.pastDueCents, totals.currency)} />
      <Tile
        label="Oldest open invoice"
        value={oldestOpen ? oldestOpen.number : 'None'}
        detail={oldestOpen ? `Due ${formatDay(oldestOpen.dueDate)}` : undefined}
      />
    </SimpleGrid>
  );
}

/** The invoices chosen for Pay Selected, by id; null when the contact may not pay. */
interface Selection {
  selected: Set<string>;
  toggle: (invoice: PortalInvoiceRow) => void;
}

function OpenInvoicesTable({
  data,
  selection,
  scheduledOn,
}: {
  data: PortalOpenInvoices;
  selection: Selection | null;
  /** The date a scheduled payment will pay each invoice it covers, by invoice id. */
  scheduledOn: Map<string, string>;
}) {
  const { invoices, totals } = data;
  return (
    <ResponsiveTable minWidth={640}>
      <Table striped withTableBorder aria-label="Open invoices">
        <Table.Thead>
          <Table.Tr>
            {selection && (
              <Table.Th>
                <VisuallyHidden>Select</VisuallyHidden>
              </Table.Th>
            )}
            <Table.Th>Number</Table.Th>
            <Table.Th>Category</Table.Th>
            <Table.Th>Due date</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Days overdue</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Balance</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invoices.map((invoice) => (
            <Table.Tr key={invoice.id}>
              {selection && (
                <Table.Td data-label="Select">
                  <Checkbox
                    aria-label={`Select ${invoice.number}`}
                    checked={selection.selected.has(invoice.id)}
                    onChange={() => selection.toggle(invoice)}
                  />
                </Table.Td>
              )}
              <Table.Td id={`invoice-number-${invoice.id}`} fw={500} data-label="Number">
                <div>
                  {invoice.number}
                  {scheduledOn.has(invoice.id) && (
                    <Text size="xs" c="dimmed" fw={400}>
                      Payment scheduled for {formatDay(scheduledOn.get(invoice.id)!)}
                    </Text>
                  )}
                </div>
              </Table.Td>
              <Table.Td data-label="Category">{invoice.serviceCategoryName}</Table.Td>
              <Table.Td data-label="Due date">{formatDay(invoice.dueDate)}</Table.Td>
              <Table.Td style={{ textAlign: 'right' }} data-label="Days overdue">
                {invoice.daysOverdue > 0 ? (
                  <Text span c="red.8" fw={600} size="sm">
                    {invoice.daysOverdue}
                  </Text>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td style={{ textAlign: 'right' }} data-label="Balance">
                {formatMoney(invoice.balanceCents, invoice.currency)}
              </Table.Td>
              <Table.Td style={{ textAlign: 'right' }}>
                <ViewInvoiceButton invoice={invoice} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th scope="row" colSpan={selection ? 5 : 4}>
              {/* The total is of every open invoice, also those not loaded yet. */}
              {invoices.length < data.total
                ? `Total of all ${data.total.toLocaleString('en-US')} open invoices`
                : 'Total'}
            </Table.Th>
            <Table.Td style={{ textAlign: 'right' }} fw={700}>
              {formatMoney(totals.balanceCents, totals.currency)}
            </Table.Td>
            <Table.Td />
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </ResponsiveTable>
  );
}

export function InvoicesPage() {
  const query = usePortalOpenInvoices();
  const session = usePortalSession().data;
  // Staff viewing the portal read it; paying is the contact's. A contact who may schedule
  // payments but not pay now chooses invoices the same way and schedules them for a date.
  const permissions = session?.viewer ? [] : (session?.current?.permissions ?? []);
  const scheduleOnly =
    !permissions.includes('pay_invoices') && permissions.includes('schedule_payments');
  const canPay = permissions.includes('pay_invoices') || scheduleOnly;
  // An invoice a scheduled payment will pay says so, before anyone tries to pay it again.
  const scheduled = useScheduledPayments(permissions.includes('schedule_payments'));
  const scheduledOn = new Map(
    (scheduled.data?.scheduledPayments ?? [])
      .filter((payment) => payment.status === 'scheduled')
      .flatMap((payment) => payment.allocations.map((a) => [a.invoiceId, payment.runOn] as const)),
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [paying, setPaying] = useState(false);
  const selection: Selection | null = canPay
    ? {
        selected,
        toggle: (invoice) =>
          setSelected((current) => {
            const next = new Set(current);
            if (next.has(invoice.id)) next.delete(invoice.id);
            else next.add(invoice.id);
            return next;
          }),
      }
    : null;
  return (
    <FeaturePage title="Invoices" intro="Invoices that are open, to view and pay.">
      <PortalQueryState query={query} loadingLabel="Loading invoices…">
        {(data) => {
          // Chosen rows as the list has them now: a paid invoice leaves, a part-paid one shows
          // its new balance.
          const chosen = data.invoices.filter((invoice) => selected.has(invoice.id));
          const currencies = new Set(chosen.map((invoice) => invoice.currency));
          const dialog = (
            <PaySelectedDialog
              invoices={chosen}
              scheduleOnly={scheduleOnly}
              opened={paying}
              // Cancelled, the choice stays for another try; after a payment it starts afresh.
              onClose={(madePayment) => {
                setPaying(false);
                if (madePayment) setSelected(new Set());
              }}
            />
          );
          // The dialog keeps its place whether or not invoices remain, so paying the last one
          // never remounts it (its outcome, or a retry's key, would be lost).
          return (
            <>
              {data.invoices.length === 0 ? (
                <EmptyState>There are no open invoices.</EmptyState>
              ) : (
                <Stack>
                  <BalanceTiles data={data} />
                  {canPay && (
                    <Group justify="space-between">
                      <Text size="sm" c="dimmed" aria-live="polite">
                        {chosen.length === 0
                          ? scheduleOnly
                            ? 'Select the invoices to schedule a payment for.'
                            : 'Select the invoices to pay.'
                          : currencies.size > 1
                            ? 'Select invoices of one currency to pay them together.'
                            : `${chosen.length} selected`}
                      </Text>
                      <Button
                        leftSection={<IconCreditCard size={16} />}
                        disabled={chosen.length === 0 || currencies.size > 1}
                        onClick={() => setPaying(true)}
                      >
                        {scheduleOnly ? 'Schedule a Payment' : 'Pay Selected'}
                      </Button>
                    </Group>
                  )}
                  <OpenInvoicesTable data={data} selection={selection} scheduledOn={scheduledOn} />
                  <LoadMore
                    shown={data.invoices.length}
                    total={data.total}
                    noun="open invoices"
                    hasMore={query.hasNextPage}
                    loading={query.isFetchingNextPage}
                    onLoad={() => query.fetchNextPage()}
                  />
                </Stack>
              )}
              {dialog}
            </>
          );
        }}
      </PortalQueryState>
    </FeaturePage>
  );
}

export function InvoiceHistoryPage() {
  const query = usePortalInvoiceHistory();
  return (
    <FeaturePage title="Invoice History" intro="Invoices that have been paid in full.">
      <PortalQueryState query={query} loadingLabel="Loading invoices…">
        {(data) =>
          data.invoices.length === 0 ? (
            <EmptyState>There are no paid invoices yet.</EmptyState>
          ) : (
            <Stack>
              <ResponsiveTable minWidth={600}>
                <Table striped withTableBorder aria-label="Paid invoices">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Number</Table.Th>
                      <Table.Th>Category</Table.Th>
                      <Table.Th>Issue date</Table.Th>
                      <Table.Th>Due date</Table.Th>
                      <Table.Th style={{ textAlign: 'right' }}>Total</Table.Th>
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.invoices.map((invoice) => (
                      <Table.Tr key={invoice.id}>
                        <Table.Td id={`invoice-number-${invoice.id}`} fw={500} data-label="Number">
                          {invoice.number}
                        </Table.Td>
                        <Table.Td data-label="Category">{invoice.serviceCategoryName}</Table.Td>
                        <Table.Td data-label="Issue date">{formatDay(invoice.issueDate)}</Table.Td>
                        <Table.Td data-label="Due date">{formatDay(invoice.dueDate)}</Table.Td>
                        <Table.Td style={{ textAlign: 'right' }} data-label="Total">
                          {formatMoney(invoice.totalCents, invoice.currency)}
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right' }}>
                          <ViewInvoiceButton invoice={invoice} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ResponsiveTable>
              <LoadMore
                shown={data.invoices.length}
                total={data.total}
                noun="paid invoices"
                hasMore={query.hasNextPage}
                loading={query.isFetchingNextPage}
                onLoad={() => query.fetchNextPage()}
              />
            </Stack>
          )
        }
      </PortalQueryState>
    </FeaturePage>
  );
}

/** /portal/billing/invoices/:invoiceId: the invoice as HTML, and its PDF. */
export function PortalInvoicePage() {
  const { invoiceId = '' } = useParams();
  const query = usePortalInvoice(invoiceId);
  usePortalTitle(query.data ? `Invoice ${query.data.invoice.number}` : 'Invoice');

  if (
    query.isError &&
    query.error instanceof ApiError &&
    (query.error.status === 404 || query.error.status === 400)
  ) {
    return <PortalNotFoundPage />;
  }

  const paid = query.data?.invoice.status === 'paid';
  return (
    <Stack gap="sm">
      <Group>
        <Anchor
          component={Link}
          to={paid ? '/portal/billing/invoice-history' : '/portal/billing/invoices'}
          size="sm"
        >
          <Group gap={4} component="span">
            <IconArrowLeft size={14} />
            {paid ? 'Invoice History' : 'Invoices'}
          </Group>
        </Anchor>
      </Group>
      <PortalQueryState query={query} loadingLabel="Loading invoice…">
        {({ invoice, html }) => (
          <Stack gap="sm">
            <Group justify="space-between" align="flex-end">
              <Group gap="sm">
                <Title order={1}>Invoice {invoice.number}</Title>
                <Badge variant="light" color={invoice.status === 'paid' ? 'green' : 'blue'}>
                  {invoiceStatusLabels[invoice.status]}
                </Badge>
              </Group>
              <Button
                component="a"
                href={`/api/portal/invoices/${encodeURIComponent(invoice.id)}/pdf`}
                target="_blank"
                rel="noopener"
                variant="default"
                leftSection={<IconDownload size={16} />}
              >
                Download PDF
              </Button>
            </Group>
            <Text size="sm" c="dimmed">
              {invoice.status === 'void'
                ? 'This invoice is void. Nothing is due.'
                : `Due ${formatDay(invoice.dueDate)} · Balance ${formatMoney(invoice.balanceCents, invoice.currency)}`}
            </Text>
            {html ? (
              <Box
                component="iframe"
                sandbox=""
                srcDoc={html}
                title="Invoice"
                style={{
                  width: '100%',
                  height: 900,
                  border: '1px solid var(--mantine-color-default-border)',
                  borderRadius: 'var(--mantine-radius-md)',
                  background: 'white',
                }}
              />
            ) : (
              <PageError error={new Error('The invoice is empty.')} />
            )}
          </Stack>
        )}
      </PortalQueryState>
    </Stack>
  );
}
