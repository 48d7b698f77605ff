import { useMemo, useRef, useState } from 'react';
import {
  Alert,
  Anchor,
  Button,
  Group,
  Modal,
  Radio,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconClock } from '@tabler/icons-react';
import { Link } from 'react-router';
import { ApiError } from '../api/portal-client';
import { formatMoney, minorToInput, parseAmount } from '../../lib/money';
import type { PortalInvoiceRow } from '../api/portal-invoices';
import { usePortalSession } from '../api/portal-session';
import {
  paymentReceiptPath,
  usePayInvoices,
  usePaymentChoices,
  type PayAnswer,
  type PaymentChoice,
} from '../api/portal-payments';
import { newRequestKey } from '../../lib/request-key';
import { DateField } from '../../components/date-field';
import { formatDay } from '../../lib/format';
import { refusalText } from '../../api/errors';
import {
  paymentFieldHasBox,
  useScheduleMethodChoices,
  useSchedulePayment,
  type ScheduledAnswer,
} from '../api/portal-scheduled-payments';

/** The method offered first: the default if it can be charged, else the first that can. */
function firstChoice(methods: PaymentChoice[]): string | null {
  const usable = methods.filter((m) => !m.unavailableReason);
  return (usable.find((m) => m.isDefault) ?? usable[0])?.id ?? null;
}

/**
 * Pay Selected: the chosen open invoices, an amount for each (its balance unless changed, never
 * more), the method to charge, the total, then "Confirm payment" and the outcome: the receipt,
 * a bank payment processing, or the reason a card was declined (nothing else changed).
 * `scheduleOnly`: for a contact who may schedule payments but not pay now, "Schedule a
 * Payment": the same form with a payment date and no paying now.
 */
export function PaySelectedDialog({
  invoices,
  opened,
  onClose,
  scheduleOnly = false,
}: {
  invoices: PortalInvoiceRow[];
  opened: boolean;
  /** `madePayment`: a payment was made or scheduled (false: cancelled, or only declined). */
  onClose: (madePayment: boolean) => void;
  scheduleOnly?: boolean;
}) {
  const made = useRef(false);
  const close = () => {
    const madePayment = made.current;
    made.current = false;
    onClose(madePayment);
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={scheduleOnly ? 'Schedule a Payment' : 'Pay Selected'}
      size="lg"
      centered
    >
      {/* Mounted fresh on each opening: amounts start at the balances again. */}
      {opened && (
        <PayForm
          invoices={invoices}
          onClose={close}
          onMade={() => {
            made.current = true;
          }}
          scheduleOnly={scheduleOnly}
        />
      )}
    </Modal>
  );
}

function PayForm(props: {
  invoices: PortalInvoiceRow[];
  onClose: () => void;
  /** Called once a payment is made or scheduled. */
  onMade: () => void;
  scheduleOnly: boolean;
}) {
  const { onClose, onMade, scheduleOnly } = props;
  // The invoices as they were when the dialog opened: the list behind it is read again after
  // each attempt (a paid invoice leaves it), but a retry must send the same request.
  const [invoices] = useState(props.invoices);
  const currency = invoices[0]?.currency ?? 'USD';
  // The methods come from the route the contact may use: Pay Selected's, or (scheduling only)
  // the scheduled payments'.
  const payChoices = usePaymentChoices(!scheduleOnly);
  const scheduleChoices = useScheduleMethodChoices(scheduleOnly);
  const choices = scheduleOnly ? scheduleChoices : payChoices;
  const pay = usePayInvoices();
  // A future date makes a scheduled payment instead of a charge (permission schedule_payments).
  const canSchedule =
    usePortalSession().data?.current?.permissions.includes('schedule_payments') ?? false;
  const schedule = useSchedulePayment();
  const [chosenLater, setLater] = useState(false);
  const later = scheduleOnly || chosenLater;
  const [runOn, setRunOn] = useState('');
  const [scheduledAnswer, setScheduledAnswer] = useState<ScheduledAnswer | null>(null);
  const [amounts, setAmounts] = useState<Record<string, string>>(() =>
    Object.fromEntries(invoices.map((i) => [i.id, minorToInput(i.balanceCents, i.currency)])),
  );
  const [methodId, setMethodId] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<PayAnswer | null>(null);
  /** The last request sent and its key: a retry after a lost answer sends the same key. */
  const lastAttempt = useRef<{ body: string; key: string; answered: boolean } | null>(null);
  /** Whether a request is on its way (set at once, unlike the mutation's state). */
  const sending = useRef(false);

  const methods = choices.data?.paymentMethods ?? [];
  const chosen = methodId ?? firstChoice(methods);

  const parsed = useMemo(
    () =>
      invoices.map((invoice) => {
        const result = parseAmount(amounts[invoice.id] ?? '', invoice.currency);
        if (!result.ok) return { invoice, error: result.message, cents: 0 };
        if (result.value <= 0) return { invoice, error: 'must be more than 0', cents: 0 };
        if (result.value > invoice.balanceCents) {
          return {
            invoice,
            error: `must be at most the balance, ${formatMoney(invoice.balanceCents, invoice.currency)}`,
            cents: 0,
          };
        }
        return { invoice, error: null, cents: result.value };
      }),
    [amounts, invoices],
  );
  // The refusal of what was sent last: a payment now, or one scheduled for later.
  const refusal = later ? schedule.error : pay.error;
  const serverFields = refusal instanceof ApiError ? refusal.fields : [];
  // A refusal whose sentence is the whole message (an invoice changed since the dialog opened)
  // is said once, in the alert below; its amount field is only marked.
  const fieldError = (index: number) => {
    const message = serverFields.find(
      (f) => f.field === `allocations.${index}.amountCents`,
    )?.message;
    return message !== undefined && message === refusal?.message ? true : message;
  };
  const refusalAlert = refusal ? refusalText(refusal, paymentFieldHasBox) : null;
  const total = parsed.reduce((sum, row) => sum + row.cents, 0);
  const valid =
    parsed.length > 0 &&
    parsed.every((row) => !row.error) &&
    chosen !== null &&
    (!later || runOn !== '');
  const scheduleFields = schedule.error instanceof ApiError ? schedule.error.fields : [];

  /** Pay on a later date: stores a scheduled payment; nothing is charged now. */
  function scheduleLater(methodId: string) {
    if (schedule.isPending) return;
    schedule.mutate(
      {
        paymentMethodId: methodId,
        runOn,
        allocations: parsed.map((row) => ({
          invoiceId: row.invoice.id,
          amountCents: row.cents,
          balanceCents: row.invoice.balanceCents,
        })),
      },
      { onSuccess: setScheduledAnswer },
    );
  }

  function confirm() {
    // A double click's second click comes before the button shows it is busy: sending it would
    // answer "being confirmed" for a payment the first request already made.
    if (!valid || !chosen || sending.current) return;
    if (later) {
      scheduleLater(chosen);
      return;
    }
    const body = {
      paymentMethodId: chosen,
      // The balance shown here goes too: if another tab paid meanwhile, the server refuses
      // rather than pay the same invoice twice.
      allocations: parsed.map((row) => ({
        invoiceId: row.invoice.id,
        amountCents: row.cents,
        balanceCents: row.invoice.balanceCents,
      })),
    };
    const text = JSON.stringify(body);
    const previous = lastAttempt.current;
    // The same request whose answer never came keeps its key; anything else is a new payment.
    const key =
      previous && previous.body === text && !previous.answered ? previous.key : newRequestKey();
    lastAttempt.current = { body: text, key, answered: false };
    sending.current = true;
    pay.mutate(
      { body, requestKey: key },
      {
        onSettled: () => {
          sending.current = false;
        },
        onSuccess: (answer) => {
          lastAttempt.current = { body: text, key, answered: true };
          setOutcome(answer);
        },
        onError: (error) => {
          if (error instanceof ApiError && error.status !== 0) {
            lastAttempt.current = { body: text, key, answered: true };
          }
        },
      },
    );
  }

  if (scheduledAnswer || (outcome && outcome.payment.status !== 'failed')) onMade();
  if (scheduledAnswer) return <ScheduledOutcome answer={scheduledAnswer} onClose={onClose} />;
  if (outcome && outcome.payment.status !== 'failed') {
    return <Outcome answer={outcome} onClose={onClose} />;
  }

  return (
    <Stack>
      <Table withTableBorder aria-label="Invoices to pay">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Invoice</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Balance</Table.Th>
            <Table.Th>Amount to pay</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {parsed.map((row, index) => (
            <Table.Tr key={row.invoice.id}>
              <Table.Td fw={500}>{row.invoice.number}</Table.Td>
              <Table.Td style={{ textAlign: 'right' }}>
                {formatMoney(row.invoice.balanceCents, row.invoice.currency)}
              </Table.Td>
              <Table.Td>
                <TextInput
                  aria-label={`Amount for ${row.invoice.number}`}
                  value={amounts[row.invoice.id] ?? ''}
                  onChange={(event) => {
                    const value = event.currentTarget.value;
                    setAmounts((current) => ({ ...current, [row.invoice.id]: value }));
                  }}
                  error={row.error ?? fieldError(index)}
                  inputMode="decimal"
                  size="sm"
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>

      {choices.isLoading ? (
        <Text size="sm">Loading payment methods…</Text>
      ) : methods.length === 0 ? (
        <Alert color="yellow" variant="light">
          There is no payment method on file.{' '}
          <Anchor component={Link} to="/portal/configuration/payment-methods">
            Add a card or bank account
          </Anchor>{' '}
          first.
        </Alert>
      ) : (
        <Radio.Group label="Payment method" value={chosen} onChange={setMethodId}>
          <Stack gap="xs" mt="xs">
            {methods.map((method) => (
              <Radio
                key={method.id}
                value={method.id}
                disabled={Boolean(method.unavailableReason)}
                label={`${method.friendlyName} (${method.label})${method.isDefault ? ' · default' : ''}`}
                description={method.unavailableReason ?? undefined}
              />
            ))}
          </Stack>
        </Radio.Group>
      )}

      {canSchedule && !scheduleOnly && (
        <Radio.Group
          label="When to pay"
          value={later ? 'later' : 'now'}
          onChange={(value) => setLater(value === 'later')}
        >
          <Group mt="xs">
            <Radio value="now" label="Pay now" />
            <Radio value="later" label="On a later date" />
          </Group>
        </Radio.Group>
      )}
      {later && (
        <DateField
          label="Payment date"
          description="Charged on this date with the method above. You can change or cancel it until then in Scheduled Payments."
          value={runOn}
          onChange={setRunOn}
          // The server's refusal stands for the date it refused, not for one typed since.
          error={
            schedule.variables?.runOn === runOn
              ? scheduleFields.find((f) => f.field === 'runOn')?.message
              : undefined
          }
          required
        />
      )}

      <Group justify="space-between">
        <Text fw={700} aria-live="polite">
          Total: {formatMoney(total, currency)}
        </Text>
      </Group>

      {outcome?.payment.status === 'failed' && (
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Payment declined">
          {outcome.payment.failureMessage} Nothing was charged; the invoices are unchanged. Choose
          another payment method or try again.
        </Alert>
      )}
      {refusalAlert && (
        <Alert
          color="red"
          icon={<IconAlertTriangle size={18} />}
          title={later ? 'Payment not scheduled' : 'Payment not made'}
        >
          {refusalAlert}
        </Alert>
      )}

      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button onClick={confirm} disabled={!valid} loading={pay.isPending || schedule.isPending}>
          {later ? 'Schedule payment' : 'Confirm payment'}
        </Button>
      </Group>
    </Stack>
  );
}

function Outcome({ answer, onClose }: { answer: PayAnswer; onClose: () => void }) {
  const { payment } = answer;
  // The receipt is a Payment History page: offered only to a profile that may open it.
  const canSeeReceipt =
    usePortalSession().data?.current?.permissions.includes('view_payment_history') ?? false;
  const money = (cents: number) => formatMoney(cents, payment.currency);
  const pending = payment.status === 'pending';
  return (
    <Stack>
      <Alert
        color={pending ? 'yellow' : 'green'}
        icon={pending ? <IconClock size={18} /> : <IconCircleCheck size={18} />}
        title={
          payment.status === 'succeeded'
            ? `Payment ${payment.number} received`
            : payment.status === 'processing'
              ? `Payment ${payment.number} is processing`
              : `Payment ${payment.number} is being confirmed`
        }
      >
        {answer.message}
      </Alert>
      <Text>
        {money(payment.amountCents)} with {payment.methodLabel}
      </Text>
      <Table withTableBorder aria-label="Paid invoices">
        <Table.Tbody>
          {payment.allocations.map((allocation) => (
            <Table.Tr key={allocation.invoiceId}>
              <Table.Td>{allocation.invoiceNumber}</Table.Td>
              <Table.Td style={{ textAlign: 'right' }}>{money(allocation.appliedCents)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="flex-end">
        {canSeeReceipt && (
          <Button component={Link} to={paymentReceiptPath(payment.id)} variant="default">
            View receipt
          </Button>
        )}
        <Button onClick={onClose}>Done</Button>
      </Group>
    </Stack>
  );
}

/** What Pay Selected shows once a payment is scheduled: the date, amount and method. */
function ScheduledOutcome({ answer, onClose }: { answer: ScheduledAnswer; onClose: () => void }) {
  const { scheduledPayment: payment } = answer;
  return (
    <Stack>
      <Alert
        color="blue"
        icon={<IconClock size={18} />}
        title={`Payment scheduled for ${formatDay(payment.runOn)}`}
      >
        Nothing is charged until then. A confirmation is on its way by email.
      </Alert>
      <Text>
        {formatMoney(payment.totalCents, payment.currency)} with {payment.methodLabel}
      </Text>
      <Group justify="flex-end">
        <Button component={Link} to="/portal/billing/scheduled-payments" variant="default">
          View Scheduled Payments
        </Button>
        <Button onClick={onClose}>Done</Button>
      </Group>
    </Stack>
  );
}
