import { useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ApiError } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { DateField } from '../../components/date-field';
import { InvoicesPaid } from '../../components/invoices-paid';
import { LoadMore } from '../../components/load-more';
import { PageError, PageLoader } from '../../components/page-state';
import { dateEntry, formatDay } from '../../lib/format';
import { formatMoney, minorToInput, parseAmount } from '../../lib/money';
import { maxInvoiceTotalCents } from '../../../../src/shared/invoice-limits';
import { useOneRequestAtATime } from '../../lib/use-one-request-at-a-time';
import { useCan } from '../auth/session';
import { useOrganization } from '../organizations/organizations-api';
import {
  manualMethodLabels,
  manualPaymentMethods,
  type ManualPaymentMethod,
} from '../../../../src/shared/contract/staff-payments';
import {
  useApplyCredit,
  useOpenInvoices,
  useOrganizationPayments,
  useRecordManualPayment,
  useRefundPayment,
  useRetryRefund,
  useTransactions,
  type RefundAnswer,
  type StaffPayment,
  type StaffRefund,
} from './staff-payments-api';
import { newRequestKey } from '../../lib/request-key';
import { DisputeBadge, PaymentStatusBadge } from '../../components/payment-status-badge';

/** How each field a refusal may name reads in front of its reason. */
/** Who a refund came from when no staff user issued it. */
const refundOriginLabels: Record<'staff' | 'processor' | 'dispute', string> = {
  staff: '',
  processor: 'Payment processor',
  dispute: 'Dispute lost',
};

const fieldLabels: Record<string, string> = {
  amountCents: 'Amount',
  receivedOn: 'Received date',
  reference: 'Reference',
  method: 'Method',
  reason: 'Reason',
};

/** "must be an amount in USD such as 1,250.00" as a sentence under its field. */
const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

/**
 * Field errors of an API refusal by field name, each a sentence ("Amount is more than …"), or
 * null when it named none.
 */
function fieldErrorsOf(error: unknown): Record<string, string> | null {
  if (!(error instanceof ApiError) || error.fields.length === 0) return null;
  return Object.fromEntries(
    error.fields.map((f) => {
      const label = /^allocations\.\d+\.amountCents$/.test(f.field)
        ? 'Amount'
        : fieldLabels[f.field];
      const message = label ? `${label} ${f.message}` : sentence(f.message);
      return [f.field, message];
    }),
  );
}

/**
 * The organization page's Payments tab: its unapplied credit, every payment (portal, staff
 * recorded) with Refund, its refunds, Record Payment and Apply Credit. Changes need the
 * manage_clients capability (Billing and Master Admin staff).
 */
export function OrganizationPayments({ organizationId }: { organizationId: string }) {
  const payments = useOrganizationPayments(organizationId);
  const canManage = useCan('manage_clients');
  const [recording, setRecording] = useState(false);
  const [applying, setApplying] = useState(false);
  const [refunding, setRefunding] = useState<StaffPayment | null>(null);

  if (payments.isPending) return <PageLoader label="Loading payments…" />;
  if (payments.isError) {
    return (
      <PageError
        error={payments.error}
        title="Could not load the payments"
        onRetry={() => void payments.refetch()}
      />
    );
  }
  const { credits, refunds } = payments.data;
  const hasCredit = credits.some((c) => c.unappliedCents > 0);
  return (
    <Stack gap="lg">
      <section aria-labelledby="payments-heading">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="payments-heading">
            Payments
          </Title>
          <Group gap="xs">
            <Button
              size="xs"
              variant="default"
              disabled={!canManage || !hasCredit}
              onClick={() => setApplying(true)}
            >
              Apply Credit
            </Button>
            <Button size="xs" disabled={!canManage} onClick={() => setRecording(true)}>
              Record Payment
            </Button>
          </Group>
        </Group>
        <Text mb="sm" aria-label="Unapplied credit">
          Unapplied credit:{' '}
          <strong>
            {hasCredit
              ? credits.map((c) => formatMoney(c.unappliedCents, c.currency)).join(', ')
              : 'none'}
          </strong>
        </Text>
        <PaymentsList
          organizationId={organizationId}
          canManage={canManage}
          onRefund={setRefunding}
        />
      </section>
      <RefundsSection organizationId={organizationId} refunds={refunds} canManage={canManage} />
      {recording && (
        <RecordPaymentModal organizationId={organizationId} onClose={() => setRecording(false)} />
      )}
      {applying && (
        <ApplyCreditModal
          organizationId={organizationId}
          credit={credits[0]!}
          onClose={() => setApplying(false)}
        />
      )}
      {refunding && (
        <RefundModal
          organizationId={organizationId}
          payment={refunding}
          onClose={() => setRefunding(null)}
        />
      )}
    </Stack>
  );
}

/**
 * Says how a refund went: green when refunded, red when the processor refused it (nothing was
 * refunded), yellow while the processor has not confirmed it.
 */
function notifyRefund(answer: RefundAnswer) {
  const color = { succeeded: 'green', failed: 'red', pending: 'yellow' }[answer.refund.status];
  const failure = answer.refund.failureMessage ? ` ${answer.refund.failureMessage}` : '';
  notifications.show({ color, message: `${answer.message}${failure}` });
}

/** What can still be refunded on a payment: only a completed one, less what was refunded. */
const refundable = (p: StaffPayment) =>
  p.status === 'succeeded' ? p.amountCents - p.refundedCents : 0;

/** The organization's payments, newest first, a page at a time (the Transactions list's keyset). */
function PaymentsList(props: {
  organizationId: string;
  canManage: boolean;
  onRefund: (payment: StaffPayment) => void;
}) {
  const list = useTransactions({ organizationId: props.organizationId });
  if (list.isPending) return <PageLoader label="Loading payments…" />;
  if (list.isError) {
    return (
      <PageError
        error={list.error}
        title="Could not load the payments"
        onRetry={() => void list.refetch()}
      />
    );
  }
  const rows = list.data.pages.flatMap((page) => page.payments);
  if (rows.length === 0) return <Text c="dimmed">No payments yet.</Text>;
  return (
    <Stack>
      <PaymentsTable payments={rows} canManage={props.canManage} onRefund={props.onRefund} />
      <LoadMore
        shown={rows.length}
        total={list.data.pages[0]?.total ?? rows.length}
        totalCapped={list.data.pages[0]?.totalCapped ?? false}
        noun="payments"
        hasMore={list.hasNextPage}
        loading={list.isFetchingNextPage}
        onLoad={() => list.fetchNextPage()}
      />
    </Stack>
  );
}

function PaymentsTable(props: {
  payments: StaffPayment[];
  canManage: boolean;
  onRefund: (payment: StaffPayment) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table verticalSpacing="sm" aria-labelledby="payments-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Payment</Table.Th>
            <Table.Th>Date</Table.Th>
            <Table.Th>Method</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th ta="right">Refunded</Table.Th>
            <Table.Th ta="right">Unapplied</Table.Th>
            <Table.Th>Invoices</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {props.payments.map((payment) => {
            const money = (cents: number) => formatMoney(cents, payment.currency);
            return (
              <Table.Tr key={payment.id}>
                <Table.Td>
                  <Text fw={500}>{payment.number}</Text>
                  <Text size="xs" c="dimmed">
                    {payment.createdBy ?? ''}
                  </Text>
                </Table.Td>
                <Table.Td>{formatDay(payment.paidOn)}</Table.Td>
                <Table.Td>{payment.methodLabel}</Table.Td>
                <Table.Td>
                  <PaymentStatusBadge payment={payment} />
                  <DisputeBadge dispute={payment.dispute} />
                  {payment.failureMessage && (
                    <Text size="xs" c="red.8">
                      {payment.failureMessage}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">{money(payment.amountCents)}</Table.Td>
                <Table.Td ta="right">{money(payment.refundedCents)}</Table.Td>
                <Table.Td ta="right">{money(payment.unappliedCents)}</Table.Td>
                <Table.Td>
                  <InvoicesPaid payment={payment} />
                </Table.Td>
                <Table.Td>
                  {refundable(payment) > 0 && (
                    <Button
                      size="xs"
                      variant="default"
                      disabled={!props.canManage}
                      aria-label={`Refund ${payment.number}`}
                      onClick={() => props.onRefund(payment)}
                    >
                      Refund
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function RefundsSection(props: {
  organizationId: string;
  refunds: StaffRefund[];
  canManage: boolean;
}) {
  const retry = useRetryRefund(props.organizationId);
  if (props.refunds.length === 0) return null;
  return (
    <section aria-labelledby="refunds-heading">
      <Title order={2} size="h4" id="refunds-heading" mb="sm">
        Refunds
      </Title>
      <Table verticalSpacing="sm" aria-labelledby="refunds-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Payment</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>By</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {props.refunds.map((refund) => (
            <Table.Tr key={refund.id}>
              <Table.Td>{refund.paymentNumber}</Table.Td>
              <Table.Td>{formatDay(refund.createdAt.slice(0, 10))}</Table.Td>
              <Table.Td ta="right">{formatMoney(refund.amountCents, refund.currency)}</Table.Td>
              <Table.Td>
                {refund.status === 'succeeded'
                  ? 'Refunded'
                  : refund.status === 'failed'
                    ? `Failed: ${refund.failureMessage ?? ''}`
                    : 'Not confirmed yet'}
                {refund.status === 'pending' && props.canManage && (
                  <Button
                    ml="xs"
                    size="compact-xs"
                    variant="default"
                    loading={retry.isPending}
                    onClick={() =>
                      retry.mutate(refund.id, {
                        onSuccess: notifyRefund,
                        onError: (error) => notifyError(error, 'Refund not sent'),
                      })
                    }
                  >
                    Send again
                  </Button>
                )}
              </Table.Td>
              <Table.Td>{refund.reason}</Table.Td>
              <Table.Td>{refund.createdBy ?? refundOriginLabels[refund.origin]}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </section>
  );
}

function RefundModal(props: {
  organizationId: string;
  payment: StaffPayment;
  onClose: () => void;
}) {
  const { payment } = props;
  const left = refundable(payment);
  const [amount, setAmount] = useState(minorToInput(left, payment.currency));
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  /** The invoices to reopen first, in the order they were ticked. */
  const [reopenFirst, setReopenFirst] = useState<string[]>([]);
  const refund = useRefundPayment(props.organizationId);
  const once = useOneRequestAtATime();
  // One key for this dialog: a retry after a lost answer is the same refund, never a second.
  const [requestKey] = useState(newRequestKey);
  const paid = payment.allocations.filter((a) => a.amountCents > 0);

  const submit = () => {
    const parsed = parseAmount(amount, payment.currency, { max: maxInvoiceTotalCents });
    if (!parsed.ok) return setErrors({ amountCents: sentence(parsed.message) });
    if (!once.begin()) return;
    refund.mutate(
      {
        paymentId: payment.id,
        requestKey,
        amountCents: parsed.value,
        reason,
        ...(reopenFirst.length ? { invoiceIds: reopenFirst } : {}),
      },
      {
        onSettled: once.end,
        onSuccess: (answer) => {
          notifyRefund(answer);
          props.onClose();
        },
        onError: (error) => {
          const fields = fieldErrorsOf(error);
          if (fields) setErrors(fields);
          else notifyError(error, 'Not refunded');
        },
      },
    );
  };
  return (
    <Modal opened onClose={props.onClose} title={`Refund ${payment.number}`}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack>
          <Text size="sm">
            {formatMoney(payment.amountCents, payment.currency)} by {payment.methodLabel};{' '}
            {formatMoney(left, payment.currency)} can be refunded.{' '}
            {payment.source === 'manual'
              ? 'This payment came in outside the processor: the refund records money you returned yourself.'
              : 'The refund goes back through the payment processor.'}{' '}
            The refund comes out of unapplied credit first; the rest reopens the invoices you tick
            below, in that order, or the newest invoices if you tick none.
          </Text>
          <TextInput
            label={`Amount to refund (${payment.currency})`}
            value={amount}
            onChange={(e) => setAmount(e.currentTarget.value)}
            error={errors.amountCents}
            required
            data-autofocus
          />
          {paid.length > 1 && (
            <Stack gap={4} role="group" aria-label="Reopen first">
              <Text size="sm" fw={500}>
                Reopen first
              </Text>
              {paid.map((allocation) => (
                <Checkbox
                  key={allocation.invoiceId}
                  label={`${allocation.invoiceNumber} (${formatMoney(allocation.amountCents, payment.currency)} paid)`}
                  checked={reopenFirst.includes(allocation.invoiceId)}
                  onChange={(event) => {
                    const checked = event.currentTarget.checked;
                    setReopenFirst((current) =>
                      checked
                        ? [...current, allocation.invoiceId]
                        : current.filter((id) => id !== allocation.invoiceId),
                    );
                  }}
                />
              ))}
            </Stack>
          )}
          <Textarea
            label="Reason"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={errors.reason}
            maxLength={500}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={refund.isPending}>
              Refund
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * One amount box per open invoice: what to put on it (empty for nothing). Answers the
 * allocations typed, or the message of the first box that does not read as an amount.
 */
function useAllocationInputs(organizationId: string) {
  const invoices = useOpenInvoices(organizationId, true);
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const read = (): { invoiceId: string; amountCents: number }[] | null => {
    const found: Record<string, string> = {};
    const allocations: { invoiceId: string; amountCents: number }[] = [];
    for (const invoice of invoices.data ?? []) {
      const text = (amounts[invoice.id] ?? '').trim();
      if (!text) continue;
      const parsed = parseAmount(text, invoice.currency);
      if (!parsed.ok) found[invoice.id] = `Amount ${parsed.message}`;
      else allocations.push({ invoiceId: invoice.id, amountCents: parsed.value });
    }
    setErrors(found);
    return Object.keys(found).length ? null : allocations;
  };
  /** Puts the API's `allocations.<n>.…` errors under the boxes of the allocations sent. */
  const showErrors = (sent: { invoiceId: string }[], fields: Record<string, string>) => {
    const found: Record<string, string> = {};
    for (const [field, message] of Object.entries(fields)) {
      const match = /^allocations\.(\d+)\./.exec(field);
      const invoiceId = match ? sent[Number(match[1])]?.invoiceId : undefined;
      if (invoiceId) found[invoiceId] = message;
    }
    setErrors(found);
  };
  const boxes = invoices.isPending ? (
    <PageLoader label="Loading open invoices…" />
  ) : (invoices.data ?? []).length === 0 ? (
    <Text size="sm" c="dimmed">
      No open invoices.
    </Text>
  ) : (
    <Stack gap="xs">
      {invoices.data!.map((invoice) => (
        <TextInput
          key={invoice.id}
          label={`Apply to ${invoice.number} (owes ${formatMoney(invoice.balanceCents, invoice.currency)})`}
          value={amounts[invoice.id] ?? ''}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setAmounts((current) => ({ ...current, [invoice.id]: value }));
          }}
          error={errors[invoice.id]}
        />
      ))}
    </Stack>
  );
  return { boxes, read, showErrors, currency: invoices.data?.[0]?.currency };
}

function RecordPaymentModal(props: { organizationId: string; onClose: () => void }) {
  const [method, setMethod] = useState<ManualPaymentMethod>('check');
  const [reference, setReference] = useState('');
  const [receivedOn, setReceivedOn] = useState(dateEntry().today ?? '');
  const [amount, setAmount] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const allocations = useAllocationInputs(props.organizationId);
  const record = useRecordManualPayment(props.organizationId);
  const once = useOneRequestAtATime();
  // One key for this dialog: a retry after a lost answer records the money once.
  const [requestKey] = useState(newRequestKey);
  // The organization's one currency (its invoices', and what the server records in).
  const currency = useOrganization(props.organizationId).data?.currency ?? 'USD';

  const submit = () => {
    const parsed = parseAmount(amount, currency, { max: maxInvoiceTotalCents });
    const chosen = allocations.read();
    if (!parsed.ok) return setErrors({ amountCents: sentence(parsed.message) });
    if (!receivedOn) return setErrors({ receivedOn: 'Received date is required' });
    if (!chosen) return setErrors({});
    setErrors({});
    if (!once.begin()) return;
    record.mutate(
      { method, reference, receivedOn, amountCents: parsed.value, allocations: chosen, requestKey },
      {
        onSettled: once.end,
        onSuccess: (answer) => {
          const left = answer.payment.unappliedCents;
          notifySuccess(
            `Payment ${answer.payment.number} recorded${left > 0 ? `; ${formatMoney(left, answer.payment.currency)} kept as unapplied credit` : ''}.`,
          );
          props.onClose();
        },
        onError: (error) => {
          const fields = fieldErrorsOf(error);
          if (!fields) return notifyError(error, 'Payment not recorded');
          setErrors(fields);
          allocations.showErrors(chosen, fields);
        },
      },
    );
  };
  return (
    <Modal opened onClose={props.onClose} title="Record Payment" size="lg">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack>
          <Group grow align="flex-start">
            <Select
              label="Method"
              data={manualPaymentMethods.map((m) => ({ value: m, label: manualMethodLabels[m] }))}
              value={method}
              onChange={(value) => value && setMethod(value as ManualPaymentMethod)}
              allowDeselect={false}
              error={errors.method}
            />
            <TextInput
              label="Reference"
              description="Check number, wire reference"
              value={reference}
              onChange={(e) => setReference(e.currentTarget.value)}
              error={errors.reference}
              maxLength={100}
            />
          </Group>
          <Group grow align="flex-start">
            <DateField
              label="Received"
              value={receivedOn}
              onChange={setReceivedOn}
              error={errors.receivedOn}
              required
            />
            <TextInput
              label={`Amount received (${currency})`}
              value={amount}
              onChange={(e) => setAmount(e.currentTarget.value)}
              error={errors.amountCents}
              required
            />
          </Group>
          <Text size="sm" fw={500}>
            Apply to open invoices (what is not applied is kept as unapplied credit)
          </Text>
          {allocations.boxes}
          {errors.allocations && <Alert color="red">{errors.allocations}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={record.isPending}>
              Record Payment
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ApplyCreditModal(props: {
  organizationId: string;
  credit: { currency: string; unappliedCents: number };
  onClose: () => void;
}) {
  const allocations = useAllocationInputs(props.organizationId);
  const apply = useApplyCredit(props.organizationId);
  const once = useOneRequestAtATime();
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    const chosen = allocations.read();
    if (!chosen) return;
    if (chosen.length === 0) return setError('Type an amount for at least one invoice.');
    setError(null);
    if (!once.begin()) return;
    apply.mutate(
      { allocations: chosen },
      {
        onSettled: once.end,
        onSuccess: () => {
          notifySuccess('Credit applied.');
          props.onClose();
        },
        onError: (failure) => {
          const fields = fieldErrorsOf(failure);
          if (!fields) return notifyError(failure, 'Credit not applied');
          allocations.showErrors(chosen, fields);
          setError(fields.allocations ?? null);
        },
      },
    );
  };
  return (
    <Modal opened onClose={props.onClose} title="Apply Credit">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack>
          <Text size="sm">
            {formatMoney(props.credit.unappliedCents, props.credit.currency)} of unapplied credit
            can be applied to open invoices.
          </Text>
          {allocations.boxes}
          {error && <Alert color="red">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={apply.isPending}>
              Apply Credit
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
