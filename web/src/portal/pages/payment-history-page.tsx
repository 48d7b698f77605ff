import {
  Anchor,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconArrowLeft, IconDownload } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { paymentDocumentWording } from '../../../../src/shared/contract/payments';
import { LoadMore } from '../../components/load-more';
import { PaymentStatusBadge } from '../../components/payment-status-badge';
import { ResponsiveTable } from '../../components/responsive-table';
import { InvoicesPaid } from '../../components/invoices-paid';
import { formatDateTimeMinutes, formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { ApiError } from '../api/portal-client';
import {
  paymentPdfUrl,
  paymentReceiptPath,
  usePaymentHistory,
  usePaymentReceipt,
} from '../api/portal-payments';
import { EmptyState, PortalQueryState } from '../components/portal-query-state';
import { usePortalTitle } from '../use-portal-title';
import { FeaturePage } from './feature-pages';
import { PortalNotFoundPage } from './not-found-page';

/** A payment's date: the day a check or wire staff recorded was received, else when it was made. */
function paymentDate(payment: { createdAt: string; receivedOn: string | null }): string {
  return payment.receivedOn
    ? formatDay(payment.receivedOn)
    : formatDateTimeMinutes(payment.createdAt);
}

/** Billing > Payment History: every payment, newest first, with the invoices each paid. */
export function PaymentHistoryPage() {
  const query = usePaymentHistory();
  return (
    <FeaturePage
      title="Payment History"
      intro="Payments you have made, and the invoices each one paid."
    >
      <PortalQueryState query={query} loadingLabel="Loading payments…">
        {(data) =>
          data.payments.length === 0 ? (
            <EmptyState>There are no payments yet.</EmptyState>
          ) : (
            <Stack>
              <ResponsiveTable minWidth={720}>
                <Table striped withTableBorder aria-label="Payments">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Date</Table.Th>
                      <Table.Th>Payment</Table.Th>
                      <Table.Th style={{ textAlign: 'right' }}>Amount</Table.Th>
                      <Table.Th>Method</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Invoices paid</Table.Th>
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.payments.map((payment) => (
                      <Table.Tr key={payment.id}>
                        <Table.Td data-label="Date">{paymentDate(payment)}</Table.Td>
                        <Table.Td id={`payment-number-${payment.id}`} fw={500} data-label="Payment">
                          {payment.number}
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right' }} data-label="Amount">
                          {formatMoney(payment.amountCents, payment.currency)}
                        </Table.Td>
                        <Table.Td data-label="Method">{payment.methodLabel}</Table.Td>
                        <Table.Td data-label="Status">
                          <Stack gap={2}>
                            <PaymentStatusBadge payment={payment} />
                            {payment.failureMessage && (
                              <Text size="xs" c="red.8">
                                {payment.failureMessage}
                              </Text>
                            )}
                          </Stack>
                        </Table.Td>
                        <Table.Td data-label="Invoices paid">
                          <InvoicesPaid payment={payment} />
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right' }}>
                          <Button
                            component={Link}
                            to={paymentReceiptPath(payment.id)}
                            variant="light"
                            size="compact-sm"
                            aria-describedby={`payment-number-${payment.id}`}
                          >
                            {paymentDocumentWording(payment.status).tookMoney
                              ? 'View Receipt'
                              : 'View Details'}
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ResponsiveTable>
              <LoadMore
                shown={data.payments.length}
                total={data.total}
                noun="payments"
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

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text>{value}</Text>
    </Stack>
  );
}

/** /portal/billing/payment-history/:paymentId: one payment's receipt, and its PDF. */
export function PaymentReceiptPage() {
  const { paymentId = '' } = useParams();
  const query = usePaymentReceipt(paymentId);
  usePortalTitle(
    query.data
      ? `${paymentDocumentWording(query.data.payment.status).title} ${query.data.payment.number}`
      : 'Payment receipt',
  );
  if (
    query.isError &&
    query.error instanceof ApiError &&
    (query.error.status === 404 || query.error.status === 400)
  ) {
    return <PortalNotFoundPage />;
  }
  return (
    <Stack gap="sm">
      <Group>
        <Anchor component={Link} to="/portal/billing/payment-history" size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} />
            Payment History
          </Group>
        </Anchor>
      </Group>
      <PortalQueryState query={query} loadingLabel="Loading receipt…">
        {({ payment }) => {
          const money = (cents: number) => formatMoney(cents, payment.currency);
          const wording = paymentDocumentWording(payment.status);
          // "Applied now" only when a refund or return changed what an invoice keeps.
          const changedSince =
            wording.tookMoney && payment.allocations.some((a) => a.amountCents !== a.appliedCents);
          return (
            <Stack gap="md">
              <Group justify="space-between" align="flex-end">
                <Group gap="sm">
                  <Title order={1}>
                    {wording.title} {payment.number}
                  </Title>
                  <PaymentStatusBadge payment={payment} />
                </Group>
                <Button
                  component="a"
                  href={paymentPdfUrl(payment.id)}
                  target="_blank"
                  rel="noopener"
                  variant="default"
                  leftSection={<IconDownload size={16} />}
                >
                  Download PDF
                </Button>
              </Group>
              <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                  <Fact label={wording.fromLabel} value={payment.organizationName} />
                  <Fact label={wording.byLabel} value={payment.paidBy ?? '—'} />
                  <Fact label="Date" value={paymentDate(payment)} />
                  <Fact label="Amount" value={money(payment.amountCents)} />
                  <Fact label="Payment method" value={payment.methodLabel} />
                  {payment.refundedCents > 0 && (
                    <Fact label="Refunded" value={money(payment.refundedCents)} />
                  )}
                </SimpleGrid>
                {payment.failureMessage && (
                  <Text c="red.8" mt="sm">
                    {payment.failureMessage}
                  </Text>
                )}
              </Card>
              <Table withTableBorder aria-label="Invoices">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Invoice</Table.Th>
                    <Table.Th style={{ textAlign: 'right' }}>{wording.amountHeading}</Table.Th>
                    {changedSince && (
                      <Table.Th style={{ textAlign: 'right' }}>Applied now, after refunds</Table.Th>
                    )}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {payment.allocations.map((allocation) => (
                    <Table.Tr key={allocation.invoiceId}>
                      <Table.Td>{allocation.invoiceNumber}</Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>
                        {money(allocation.appliedCents)}
                      </Table.Td>
                      {changedSince && (
                        <Table.Td style={{ textAlign: 'right' }}>
                          {money(allocation.amountCents)}
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          );
        }}
      </PortalQueryState>
    </Stack>
  );
}
