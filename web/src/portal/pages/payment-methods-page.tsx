import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  Paper,
  PasswordInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { modals } from '@mantine/modals';
import { IconBuildingBank, IconCreditCard, IconLock, IconPlus } from '@tabler/icons-react';
import { notifyError, notifySuccess, showApiError } from '../../api/errors';
import { tokenizeBankAccount, tokenizeCard } from '../../lib/payment-processor/sandbox';
import type { StripeMethodFieldsHandle } from '../../lib/payment-processor/stripe-method-fields';
import { formatDate } from '../../lib/format';
import {
  useAddPaymentMethod,
  useEditPaymentMethod,
  useMakeDefaultPaymentMethod,
  usePaymentMethods,
  usePaymentProcessor,
  useRemovePaymentMethod,
  useStartStripeSetup,
  type PaymentMethodList,
  type PortalPaymentMethod,
} from '../api/portal-payment-methods';
import { usePortalSession } from '../api/portal-session';
import { EmptyState, PortalQueryState } from '../components/portal-query-state';
import { FeaturePage } from './feature-pages';

type MethodType = 'card' | 'ach';
type Processor = 'sandbox' | 'stripe';

// Stripe's Payment Element, loaded only when Stripe is the processor: with the sandbox the
// portal never fetches Stripe.js.
const StripeMethodFields = lazy(() =>
  import('../../lib/payment-processor/stripe-method-fields').then((module) => ({
    default: module.StripeMethodFields,
  })),
);

/**
 * Configuration > Payment Methods: the cards and bank accounts on file (default first), what
 * each can be used for now (expired, locked and why, its type turned off), and the Add Credit
 * Card / Add Bank Account forms. The card or bank numbers go straight to the payment processor,
 * which answers a token; only the token reaches Portico. Staff viewing the portal see it read
 * only.
 */
export function PaymentMethodsPage() {
  const query = usePaymentMethods();
  const processor: Processor = usePaymentProcessor().data?.name ?? 'sandbox';
  const readOnly = Boolean(usePortalSession().data?.viewer);
  const [adding, setAdding] = useState<MethodType | null>(null);
  return (
    <FeaturePage title="Payment Methods" intro="Credit cards and bank accounts kept on file.">
      <PortalQueryState query={query} loadingLabel="Loading payment methods…">
        {(data) => (
          <Stack gap="md">
            <Group gap="sm">
              <Button
                leftSection={<IconCreditCard size={16} />}
                onClick={() => setAdding('card')}
                disabled={readOnly || !data.cardPaymentsEnabled}
              >
                Add Credit Card
              </Button>
              <Button
                variant="default"
                leftSection={<IconBuildingBank size={16} />}
                onClick={() => setAdding('ach')}
                disabled={readOnly || !data.achPaymentsEnabled}
              >
                Add Bank Account
              </Button>
            </Group>
            {(!data.cardPaymentsEnabled || !data.achPaymentsEnabled) && (
              <Text size="sm" c="dimmed">
                {!data.cardPaymentsEnabled && 'Card payments are turned off. '}
                {!data.achPaymentsEnabled && 'Bank account (ACH) payments are turned off.'}
              </Text>
            )}
            <MethodsTable methods={data.paymentMethods} readOnly={readOnly} />
            <AddMethodModal
              type={adding}
              processor={processor}
              list={data}
              onClose={() => setAdding(null)}
              key={adding ?? 'closed'}
            />
          </Stack>
        )}
      </PortalQueryState>
    </FeaturePage>
  );
}

function expiryOf(method: PortalPaymentMethod): string {
  if (method.expMonth === null || method.expYear === null) return '—';
  return `${String(method.expMonth).padStart(2, '0')}/${method.expYear}`;
}

function MethodsTable({
  methods,
  readOnly,
}: {
  methods: PortalPaymentMethod[];
  readOnly: boolean;
}) {
  const makeDefault = useMakeDefaultPaymentMethod();
  const remove = useRemovePaymentMethod();
  const [editing, setEditing] = useState<PortalPaymentMethod | null>(null);
  if (methods.length === 0) return <EmptyState>No payment methods on file.</EmptyState>;

  const confirmRemove = (method: PortalPaymentMethod) => {
    const next = methods
      .filter((m) => m.id !== method.id)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    modals.openConfirmModal({
      title: `Remove ${method.friendlyName}?`,
      children: (
        <Stack gap="xs">
          <Text size="sm">
            {method.friendlyName} ({method.label}) will be removed and never charged again. Payments
            already made with it stay in your Payment History.
          </Text>
          {method.isDefault && (
            <Text size="sm">
              It is your default payment method:{' '}
              {next
                ? `${next.friendlyName} (${next.label}) becomes the default.`
                : 'you will have no default payment method.'}
            </Text>
          )}
        </Stack>
      ),
      labels: { confirm: 'Remove', cancel: 'Keep it' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        remove.mutate(method.id, {
          onSuccess: (answer) => notifySuccess(answer.message),
          onError: (error) => notifyError(error, 'Payment method not removed'),
        }),
    });
  };

  return (
    <>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="sm" aria-label="Payment methods">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Method</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {methods.map((method) => (
              <Table.Tr key={method.id}>
                <Table.Td>
                  <Text fw={500}>{method.friendlyName}</Text>
                  <Text size="xs" c="dimmed">
                    {method.billingName} · added {formatDate(method.createdAt)}
                  </Text>
                </Table.Td>
                <Table.Td>{method.label}</Table.Td>
                <Table.Td>{expiryOf(method)}</Table.Td>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    <Group gap={4}>
                      {method.isDefault && <Badge variant="light">Default</Badge>}
                      {method.expired && <Badge color="red">Expired</Badge>}
                      {method.locked && (
                        <Badge color="red" leftSection={<IconLock size={12} />}>
                          Locked
                        </Badge>
                      )}
                      {!method.unavailableReason && !method.isDefault && (
                        <Text size="sm" c="dimmed">
                          Ready
                        </Text>
                      )}
                    </Group>
                    {method.unavailableReason && (
                      <Text size="xs" c="red.8">
                        {method.unavailableReason}
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {!method.isDefault && (
                      <Button
                        size="xs"
                        variant="subtle"
                        disabled={readOnly}
                        loading={makeDefault.isPending && makeDefault.variables === method.id}
                        onClick={() =>
                          makeDefault.mutate(method.id, {
                            onSuccess: () =>
                              notifySuccess(`${method.friendlyName} is your default now`),
                            onError: (error) => notifyError(error, 'Default not changed'),
                          })
                        }
                        aria-label={`Make ${method.friendlyName} the default`}
                      >
                        Make default
                      </Button>
                    )}
                    <Button
                      size="xs"
                      variant="default"
                      disabled={readOnly}
                      onClick={() => setEditing(method)}
                      aria-label={`Edit ${method.friendlyName}`}
                    >
                      Edit
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      disabled={readOnly}
                      onClick={() => confirmRemove(method)}
                      aria-label={`Remove ${method.friendlyName}`}
                    >
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <EditMethodModal method={editing} onClose={() => setEditing(null)} key={editing?.id ?? ''} />
    </>
  );
}

const emptyAddress = {
  billingAddressLine1: '',
  billingAddressLine2: '',
  billingCity: '',
  billingRegion: '',
  billingPostalCode: '',
  billingCountry: 'US',
};

interface AddValues {
  friendlyName: string;
  billingName: string;
  billingAddressLine1: string;
  billingAddressLine2: string;
  billingCity: string;
  billingRegion: string;
  billingPostalCode: string;
  billingCountry: string;
  // Sent to the payment processor only, never to Portico.
  number: string;
  expMonth: string;
  expYear: string;
  cvc: string;
  routingNumber: string;
  accountNumber: string;
  accountType: 'checking' | 'savings';
  agreed: boolean;
  makeDefault: boolean;
}

function AddMethodModal({
  type,
  processor,
  list,
  onClose,
}: {
  type: MethodType | null;
  processor: Processor;
  list: PaymentMethodList;
  onClose: () => void;
}) {
  const title = type === 'ach' ? 'Add Bank Account' : 'Add Credit Card';
  return (
    <Modal opened={type !== null} onClose={onClose} title={title} size="lg" centered>
      {type && <AddMethodForm type={type} processor={processor} list={list} onDone={onClose} />}
    </Modal>
  );
}

const required = (label: string) => (value: string) =>
  value.trim() === '' ? `${label} is required` : null;

function AddMethodForm({
  type: chosenType,
  processor,
  list,
  onDone,
}: {
  type: MethodType;
  processor: Processor;
  list: PaymentMethodList;
  onDone: () => void;
}) {
  const add = useAddPaymentMethod();
  const stripe = processor === 'stripe';
  // With Stripe the Payment Element's tab decides: a card, or a US bank account.
  const [type, setType] = useState<MethodType>(chosenType);
  const stripeFields = useRef<StripeMethodFieldsHandle>(null);
  const stripeSetup = useStartStripeSetup();
  const startStripeSetup = stripeSetup.mutate;
  useEffect(() => {
    if (stripe) startStripeSetup();
  }, [stripe, startStripeSetup]);
  const [tokenizing, setTokenizing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<AddValues>({
    mode: 'controlled',
    initialValues: {
      friendlyName: '',
      billingName: '',
      ...emptyAddress,
      number: '',
      expMonth: '',
      expYear: '',
      cvc: '',
      routingNumber: '',
      accountNumber: '',
      accountType: 'checking',
      agreed: false,
      makeDefault: false,
    },
    validate: {
      friendlyName: required('A name for this method'),
      billingName: required(type === 'card' ? 'The name on the card' : 'The account holder'),
      billingCountry: (value) =>
        /^[A-Za-z]{2}$/.test(value.trim()) ? null : 'Enter a two-letter country code such as US',
      agreed: (value) => (value ? null : 'Tick “I Agree” to authorize this payment method'),
      ...(stripe
        ? {}
        : type === 'card'
          ? {
              number: required('The card number'),
              expMonth: required('The expiry month'),
              expYear: required('The expiry year'),
              cvc: required('The security code'),
            }
          : {
              routingNumber: required('The routing number'),
              accountNumber: required('The account number'),
            }),
    },
  });

  /** The numbers go to the payment processor; Portico receives only its token. */
  const tokenizeWith = async (values: AddValues) => {
    if (stripe) {
      if (!stripeFields.current) {
        return { ok: false as const, message: 'Stripe has not loaded yet.', fieldErrors: {} };
      }
      const confirmed = await stripeFields.current.confirm({
        name: values.billingName,
        address: {
          line1: values.billingAddressLine1,
          line2: values.billingAddressLine2,
          city: values.billingCity,
          state: values.billingRegion,
          postal_code: values.billingPostalCode,
          country: values.billingCountry.toUpperCase(),
        },
      });
      return confirmed.ok
        ? { ok: true as const, token: confirmed.token, type: confirmed.type }
        : { ok: false as const, message: confirmed.message, fieldErrors: {} };
    }
    const tokenized =
      type === 'card'
        ? await tokenizeCard(
            {
              number: values.number,
              expMonth: values.expMonth,
              expYear: values.expYear,
              cvc: values.cvc,
              name: values.billingName,
            },
            { name: 'billingName' },
          )
        : await tokenizeBankAccount(
            {
              routingNumber: values.routingNumber,
              accountNumber: values.accountNumber,
              accountHolderName: values.billingName,
              accountType: values.accountType,
            },
            { accountHolderName: 'billingName' },
          );
    return tokenized.ok ? { ok: true as const, token: tokenized.token, type } : tokenized;
  };

  const submit = form.onSubmit(async (values) => {
    setProblem(null);
    setTokenizing(true);
    const tokenized = await tokenizeWith(values).finally(() => setTokenizing(false));
    if (!tokenized.ok) {
      form.setErrors(tokenized.fieldErrors);
      setProblem(tokenized.message);
      return;
    }
    add.mutate(
      {
        type: tokenized.type,
        token: tokenized.token,
        friendlyName: values.friendlyName,
        billingName: values.billingName,
        billingAddressLine1: values.billingAddressLine1,
        billingAddressLine2: values.billingAddressLine2,
        billingCity: values.billingCity,
        billingRegion: values.billingRegion,
        billingPostalCode: values.billingPostalCode,
        billingCountry: values.billingCountry,
        authorizationText: list.authorizationTexts[tokenized.type],
        agreed: values.agreed,
        makeDefault: values.makeDefault,
      },
      {
        onSuccess: ({ paymentMethod }) => {
          notifySuccess(`${paymentMethod.friendlyName} (${paymentMethod.label}) saved`);
          onDone();
        },
        onError: (error) =>
          showApiError(error, form, type === 'card' ? 'Card not saved' : 'Bank account not saved'),
      },
    );
  });

  const saving = tokenizing || add.isPending;
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label="Name for this method"
          description="How you will recognise it, e.g. Office Visa"
          required
          maxLength={100}
          {...form.getInputProps('friendlyName')}
        />
        {stripe ? (
          <>
            <TextInput
              label={type === 'card' ? 'Name on card' : 'Account holder name'}
              autoComplete="name"
              required
              maxLength={200}
              {...form.getInputProps('billingName')}
            />
            {stripeSetup.isError ? (
              <Alert color="red" variant="light" role="alert">
                {stripeSetup.error.message}
              </Alert>
            ) : stripeSetup.data ? (
              <Suspense fallback={<Loader size="sm" aria-label="Loading Stripe" />}>
                <StripeMethodFields
                  setup={stripeSetup.data}
                  ref={stripeFields}
                  onTypeChange={setType}
                />
              </Suspense>
            ) : (
              <Loader size="sm" aria-label="Starting Stripe" />
            )}
          </>
        ) : type === 'card' ? (
          <>
            <TextInput
              label="Name on card"
              autoComplete="cc-name"
              required
              maxLength={200}
              {...form.getInputProps('billingName')}
            />
            <TextInput
              label="Card number"
              autoComplete="cc-number"
              inputMode="numeric"
              required
              {...form.getInputProps('number')}
            />
            <SimpleGrid cols={3}>
              <TextInput
                label="Expiry month"
                placeholder="MM"
                autoComplete="cc-exp-month"
                inputMode="numeric"
                required
                {...form.getInputProps('expMonth')}
              />
              <TextInput
                label="Expiry year"
                placeholder="YYYY"
                autoComplete="cc-exp-year"
                inputMode="numeric"
                required
                {...form.getInputProps('expYear')}
              />
              <PasswordInput
                label="Security code"
                description="3 digits, 4 for American Express"
                autoComplete="cc-csc"
                inputMode="numeric"
                required
                {...form.getInputProps('cvc')}
              />
            </SimpleGrid>
          </>
        ) : (
          <>
            <TextInput
              label="Account holder name"
              autoComplete="name"
              required
              maxLength={200}
              {...form.getInputProps('billingName')}
            />
            <SimpleGrid cols={2}>
              <TextInput
                label="Routing number"
                inputMode="numeric"
                required
                {...form.getInputProps('routingNumber')}
              />
              <TextInput
                label="Account number"
                inputMode="numeric"
                required
                {...form.getInputProps('accountNumber')}
              />
            </SimpleGrid>
            <div>
              <Text size="sm" fw={500} mb={4} id="account-type-label">
                Account type
              </Text>
              <SegmentedControl
                aria-labelledby="account-type-label"
                data={[
                  { value: 'checking', label: 'Checking' },
                  { value: 'savings', label: 'Savings' },
                ]}
                {...form.getInputProps('accountType')}
              />
            </div>
          </>
        )}
        <BillingAddressFields form={form} />
        <Paper withBorder p="sm" bg="gray.0">
          <Text size="sm" id="authorization-text">
            {list.authorizationTexts[type]}
          </Text>
        </Paper>
        <Checkbox
          label="I Agree"
          aria-describedby="authorization-text"
          {...form.getInputProps('agreed', { type: 'checkbox' })}
        />
        {list.paymentMethods.length > 0 && (
          <Checkbox
            label="Make this my default payment method"
            {...form.getInputProps('makeDefault', { type: 'checkbox' })}
          />
        )}
        <Text size="xs" c="dimmed">
          Saving charges nothing.
        </Text>
        {problem && (
          <Alert color="red" variant="light" role="alert">
            {problem}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={saving} leftSection={<IconPlus size={16} />}>
            {type === 'card' ? 'Save Card' : 'Save Bank Account'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface AddressForm {
  getInputProps: (path: string) => object;
}

function BillingAddressFields({ form }: { form: AddressForm }) {
  return (
    <Stack gap="sm" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
      <Title order={3} size="h6" component="legend">
        Billing address
      </Title>
      <TextInput
        label="Address line 1"
        autoComplete="address-line1"
        maxLength={200}
        {...form.getInputProps('billingAddressLine1')}
      />
      <TextInput
        label="Address line 2"
        autoComplete="address-line2"
        maxLength={200}
        {...form.getInputProps('billingAddressLine2')}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="City"
          autoComplete="address-level2"
          maxLength={100}
          {...form.getInputProps('billingCity')}
        />
        <TextInput
          label="State or region"
          autoComplete="address-level1"
          maxLength={100}
          {...form.getInputProps('billingRegion')}
        />
        <TextInput
          label="Postal code"
          autoComplete="postal-code"
          maxLength={20}
          {...form.getInputProps('billingPostalCode')}
        />
        <TextInput
          label="Country"
          description="Two-letter code, e.g. US"
          autoComplete="country"
          maxLength={2}
          {...form.getInputProps('billingCountry')}
        />
      </SimpleGrid>
    </Stack>
  );
}

interface EditValues {
  friendlyName: string;
  billingName: string;
  billingAddressLine1: string;
  billingAddressLine2: string;
  billingCity: string;
  billingRegion: string;
  billingPostalCode: string;
  billingCountry: string;
  expMonth: string;
  expYear: string;
}

function EditMethodModal({
  method,
  onClose,
}: {
  method: PortalPaymentMethod | null;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={method !== null}
      onClose={onClose}
      title={method ? `Edit ${method.friendlyName}` : 'Edit'}
      size="lg"
      centered
    >
      {method && <EditMethodForm method={method} onDone={onClose} />}
    </Modal>
  );
}

function EditMethodForm({ method, onDone }: { method: PortalPaymentMethod; onDone: () => void }) {
  const edit = useEditPaymentMethod();
  const card = method.type === 'card';
  const form = useForm<EditValues>({
    mode: 'controlled',
    initialValues: {
      friendlyName: method.friendlyName,
      billingName: method.billingName,
      billingAddressLine1: method.billingAddressLine1,
      billingAddressLine2: method.billingAddressLine2,
      billingCity: method.billingCity,
      billingRegion: method.billingRegion,
      billingPostalCode: method.billingPostalCode,
      billingCountry: method.billingCountry,
      expMonth: method.expMonth === null ? '' : String(method.expMonth),
      expYear: method.expYear === null ? '' : String(method.expYear),
    },
    validate: {
      friendlyName: required('A name for this method'),
      billingName: required('The billing name'),
      expMonth: (value) =>
        !card || /^(0?[1-9]|1[0-2])$/.test(value.trim()) ? null : 'Enter a month from 1 to 12',
      expYear: (value) =>
        !card || /^\d{4}$/.test(value.trim()) ? null : 'Enter a four-digit year',
    },
  });

  const submit = form.onSubmit(({ expMonth, expYear, ...values }) =>
    edit.mutate(
      {
        id: method.id,
        ...values,
        ...(card ? { expMonth: Number(expMonth), expYear: Number(expYear) } : {}),
      },
      {
        onSuccess: ({ paymentMethod }) => {
          notifySuccess(`${paymentMethod.friendlyName} saved`);
          onDone();
        },
        onError: (error) => showApiError(error, form, 'Payment method not saved'),
      },
    ),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm">{method.label}</Text>
        {method.locked && (
          <Alert color="yellow" variant="light" icon={<IconLock size={16} />}>
            {method.lockedReason}. Saving your corrected details unlocks it.
          </Alert>
        )}
        <TextInput
          label="Name for this method"
          required
          maxLength={100}
          {...form.getInputProps('friendlyName')}
        />
        <TextInput
          label={card ? 'Name on card' : 'Account holder name'}
          required
          maxLength={200}
          {...form.getInputProps('billingName')}
        />
        {card && (
          <SimpleGrid cols={2}>
            <TextInput
              label="Expiry month"
              placeholder="MM"
              inputMode="numeric"
              required
              {...form.getInputProps('expMonth')}
            />
            <TextInput
              label="Expiry year"
              placeholder="YYYY"
              inputMode="numeric"
              required
              {...form.getInputProps('expYear')}
            />
          </SimpleGrid>
        )}
        <BillingAddressFields form={form} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={edit.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
