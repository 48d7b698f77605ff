import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { IconAlertTriangle, IconCalendarPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { scheduledPaymentStatusLabels } from '../../../../src/shared/contract/scheduled-payments';
import { notifySuccess, refusalText } from '../../api/errors';
import { DateField } from '../../components/date-field';
import { ResponsiveTable } from '../../components/responsive-table';
import { formatDay } from '../../lib/format';
import { formatMoney, minorToInput, parseAmount } from '../../lib/money';
import { ApiError } from '../api/portal-client';
import {
  paymentFieldHasBox,
  useCancelScheduledPayment,
  useChangeScheduledPayment,
  useScheduledPayments,
  type PortalScheduledPayment,
} from '../api/portal-scheduled-payments';
import { usePortalSession } from '../api/portal-session';
import { EmptyState, PortalQueryState } from '../components/portal-query-state';
import { FeaturePage } from './feature-pages';

const statusColors: Record<PortalScheduledPayment['status'], string> = {
  scheduled: 'blue',
  processing: 'yellow',
  paid: 'green',
  failed: 'red',
  cancelled: 'gray',
  skipped: 'gray',
};

/**
 * Billing > Scheduled Payments: everything scheduled to be paid (date, method, invoices and
 * amounts, total, status), and, until a payment starts processing, Change (its date and
 * amounts) and Cancel. What became of one that ran or was cancelled stays listed for a while.
 */
export function ScheduledPaymentsPage() {
  const query = useScheduledPayments();
  const [changing, setChanging] = useState<PortalScheduledPayment | null>(null);
  const [cancelling, setCancelling] = useState<PortalScheduledPayment | null>(null);
  // A new one starts from the open invoices (Pay Selected, or Schedule a Payment for a contact
  // who may not pay now): offered to a contact who may see them.
  const session = usePortalSession().data;
  const canChooseInvoices =
    !session?.viewer && (session?.current?.permissions.includes('view_invoices') ?? false);
  return (
    <FeaturePage
      title="Scheduled Payments"
      intro="Everything scheduled to be paid. Change the date or the amounts, or cancel, until the payment starts processing."
    >
      {canChooseInvoices && (
        <Group>
          <Button
            component={Link}
            to="/portal/billing/invoices"
            variant="light"
            leftSection={<IconCalendarPlus size={16} />}
          >
            Schedule a payment
          </Button>
        </Group>
      )}
      <PortalQueryState query={query} loadingLabel="Loading scheduled payments…">
        {(data) =>
          data.scheduledPayments.length === 0 ? (
            <EmptyState>
              There are no scheduled payments. Choose a later date in Pay Selected to schedule one.
            </EmptyState>
          ) : (
            // On a phone each scheduled payment is a card: the page never scrolls sideways, and
            // Change and Cancel stay within reach.
            <ResponsiveTable minWidth={720}>
              <Table withTableBorder aria-label="Scheduled payments" verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Payment date</Table.Th>
                    <Table.Th>Invoices</Table.Th>
                    <Table.Th style={{ textAlign: 'right' }}>Total</Table.Th>
                    <Table.Th>Payment method</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.scheduledPayments.map((payment) => (
                    <ScheduledRow
                      key={payment.id}
                      payment={payment}
                      onChange={() => setChanging(payment)}
                      onCancel={() => setCancelling(payment)}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </ResponsiveTable>
          )
        }
      </PortalQueryState>
      <Modal
        opened={changing !== null}
        onClose={() => setChanging(null)}
        title="Change scheduled payment"
        centered
      >
        {changing && <ChangeForm payment={changing} onDone={() => setChanging(null)} />}
      </Modal>
      <Modal
        opened={cancelling !== null}
        onClose={() => setCancelling(null)}
        title="Cancel scheduled payment"
        centered
      >
        {cancelling && <CancelForm payment={cancelling} onDone={() => setCancelling(null)} />}
      </Modal>
    </FeaturePage>
  );
}

function ScheduledRow(props: {
  payment: PortalScheduledPayment;
  onChange: () => void;
  onCancel: () => void;
}) {
  const { payment } = props;
  const money = (cents: number) => formatMoney(cents, payment.currency);
  const date = formatDay(payment.runOn);
  return (
    <Table.Tr>
      <Table.Td fw={500} data-label="Payment date">
        {date}
      </Table.Td>
      <Table.Td data-label="Invoices">
        <Stack gap={2}>
          {payment.allocations.map((allocation) => (
            <Text size="sm" key={allocation.invoiceId}>
              {allocation.invoiceNumber}: {money(allocation.amountCents)}
            </Text>
          ))}
        </Stack>
      </Table.Td>
      <Table.Td style={{ textAlign: 'right' }} data-label="Total">
        {money(payment.totalCents)}
      </Table.Td>
      <Table.Td data-label="Payment method">{payment.methodLabel}</Table.Td>
      <Table.Td data-label="Status">
        <Stack gap={4}>
          <Badge color={statusColors[payment.status]} variant="light">
            {scheduledPaymentStatusLabels[payment.status]}
          </Badge>
          {payment.paymentNumber && <Text size="xs">Payment {payment.paymentNumber}</Text>}
          {payment.outcomeMessage && (
            <Text size="xs" c="dimmed">
              {payment.outcomeMessage}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        {payment.status === 'scheduled' && (
          <Group gap="xs" wrap="nowrap">
            <Button
              size="xs"
              variant="default"
              onClick={props.onChange}
              aria-label={`Change the payment of ${date}`}
            >
              Change
            </Button>
            <Button
              size="xs"
              variant="subtle"
              color="red"
              onClick={props.onCancel}
              aria-label={`Cancel the payment of ${date}`}
            >
              Cancel
            </Button>
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** A new date and new amounts (each at most the invoice's balance now). */
function ChangeForm({ payment, onDone }: { payment: PortalScheduledPayment; onDone: () => void }) {
  const change = useChangeScheduledPayment();
  const [runOn, setRunOn] = useState(payment.runOn);
  // An invoice paid in full meanwhile is left out when the payment runs: it is not offered for
  // a new amount (and not sent), so the date and the other amounts can still be changed. An
  // amount above what is now owed starts at the balance.
  const payable = payment.allocations.filter((a) => a.balanceCents > 0);
  const paidMeanwhile = payment.allocations.filter((a) => a.balanceCents <= 0);
  const [amounts, setAmounts] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      payable.map((a) => [
        a.invoiceId,
        minorToInput(Math.min(a.amountCents, a.balanceCents), payment.currency),
      ]),
    ),
  );
  const parsed = payable.map((allocation) => {
    const result = parseAmount(amounts[allocation.invoiceId] ?? '', payment.currency);
    if (!result.ok) return { allocation, error: result.message, cents: 0 };
    if (result.value <= 0) return { allocation, error: 'must be more than 0', cents: 0 };
    if (result.value > allocation.balanceCents) {
      return {
        allocation,
        error: `must be at most the balance, ${formatMoney(allocation.balanceCents, payment.currency)}`,
        cents: 0,
      };
    }
    return { allocation, error: null, cents: result.value };
  });
  const fields = change.error instanceof ApiError ? change.error.fields : [];
  const refusal = change.error ? refusalText(change.error, paymentFieldHasBox) : null;
  const fieldError = (name: string) => fields.find((f) => f.field === name)?.message;
  const valid = runOn !== '' && parsed.length > 0 && parsed.every((row) => !row.error);
  const total = parsed.reduce((sum, row) => sum + row.cents, 0);

  function save() {
    if (!valid || change.isPending) return;
    change.mutate(
      {
        id: payment.id,
        body: {
          runOn,
          allocations: parsed.map((row) => ({
            invoiceId: row.allocation.invoiceId,
            amountCents: row.cents,
          })),
        },
      },
      {
        onSuccess: (answer) => {
          notifySuccess(answer.message);
          onDone();
        },
      },
    );
  }

  return (
    <Stack>
      <DateField
        label="Payment date"
        value={runOn}
        onChange={setRunOn}
        // The server's refusal stands for the date it refused, not for one typed since.
        error={change.variables?.body.runOn === runOn ? fieldError('runOn') : undefined}
        required
      />
      <Table withTableBorder aria-label="Amounts to pay">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Invoice</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Balance</Table.Th>
            <Table.Th>Amount to pay</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {parsed.map((row, index) => (
            <Table.Tr key={row.allocation.invoiceId}>
              <Table.Td fw={500}>{row.allocation.invoiceNumber}</Table.Td>
              <Table.Td style={{ textAlign: 'right' }}>
                {formatMoney(row.allocation.balanceCents, payment.currency)}
              </Table.Td>
              <Table.Td>
                <TextInput
                  aria-label={`Amount for ${row.allocation.invoiceNumber}`}
                  value={amounts[row.allocation.invoiceId] ?? ''}
                  onChange={(event) => {
                    const value = event.currentTarget.value;
                    setAmounts((current) => ({ ...current, [row.allocation.invoiceId]: value }));
                  }}
                  error={row.error ?? fieldError(`allocations.${index}.amountCents`)}
                  inputMode="decimal"
                  size="sm"
                />
              </Table.Td>
            </Table.Tr>
          ))}
          {paidMeanwhile.map((allocation) => (
            <Table.Tr key={allocation.invoiceId}>
              <Table.Td fw={500}>{allocation.invoiceNumber}</Table.Td>
              <Table.Td style={{ textAlign: 'right' }}>
                {formatMoney(allocation.balanceCents, payment.currency)}
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed">
                  Paid meanwhile: left out when this payment runs
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text fw={700} aria-live="polite">
        Total: {formatMoney(total, payment.currency)}
      </Text>
      {parsed.length === 0 && (
        <Text size="sm" c="dimmed">
          Every invoice of this payment has been paid: nothing is left for it to pay. Cancel it
          instead.
        </Text>
      )}
      {refusal && (
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Not changed">
          {refusal}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Keep as it is
        </Button>
        <Button onClick={save} disabled={!valid} loading={change.isPending}>
          Save changes
        </Button>
      </Group>
    </Stack>
  );
}

function CancelForm({ payment, onDone }: { payment: PortalScheduledPayment; onDone: () => void }) {
  const cancel = useCancelScheduledPayment();
  return (
    <Stack>
      <Text>
        Cancel the payment of {formatMoney(payment.totalCents, payment.currency)} scheduled for{' '}
        {formatDay(payment.runOn)}? Nothing will be charged for it; the invoices stay open.
      </Text>
      {cancel.error && (
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Not cancelled">
          {cancel.error.message}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Keep it
        </Button>
        <Button
          color="red"
          loading={cancel.isPending}
          onClick={() =>
            cancel.mutate(payment.id, {
              onSuccess: (answer) => {
                notifySuccess(answer.message);
                onDone();
              },
            })
          }
        >
          Cancel payment
        </Button>
      </Group>
    </Stack>
  );
}
