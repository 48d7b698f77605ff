import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { modals } from '@mantine/modals';
import { IconBuildingBank, IconCreditCard, IconLock } from '@tabler/icons-react';
import { notifyError, notifySuccess, showApiError } from '../../api/errors';
import {
  AddPaymentMethodForm,
  BillingAddressFields,
  requiredField,
  type MethodType,
  type Processor,
} from '../../components/payment-method-form';
import { formatDate } from '../../lib/format';
import { MethodRemovalEffects } from '../../components/method-removal-effects';
import { ResponsiveTable } from '../../components/responsive-table';
import {
  useAddPaymentMethod,
  useEditPaymentMethod,
  useMakeDefaultPaymentMethod,
  usePaymentMethods,
  usePaymentProcessor,
  fetchPaymentMethodRemoval,
  useRemovePaymentMethod,
  useStartStripeSetup,
  type PaymentMethodList,
  type PortalPaymentMethod,
} from '../api/portal-payment-methods';
import { usePortalSession } from '../api/portal-session';
import { EmptyState, PortalQueryState } from '../components/portal-query-state';
import { FeaturePage } from './feature-pages';

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

  const confirmRemove = async (method: PortalPaymentMethod) => {
    // What else goes with it (scheduled payments cancelled, AutoPay rules moved to the
    // default); the confirmation opens without the list if it cannot be read.
    const removal = await fetchPaymentMethodRemoval(method.id).catch(() => null);
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
          <MethodRemovalEffects removal={removal} />
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
      <ResponsiveTable minWidth={640}>
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
                <Table.Td data-label="Name">
                  {/* One block: on a phone the cell's label and its content share a line. */}
                  <div>
                    <Text fw={500}>{method.friendlyName}</Text>
                    <Text size="xs" c="dimmed">
                      {method.billingName} · added {formatDate(method.createdAt)}
                    </Text>
                  </div>
                </Table.Td>
                <Table.Td data-label="Method">{method.label}</Table.Td>
                <Table.Td data-label="Expires">{expiryOf(method)}</Table.Td>
                <Table.Td data-label="Status">
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
                      onClick={() => void confirmRemove(method)}
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
      </ResponsiveTable>
      <EditMethodModal method={editing} onClose={() => setEditing(null)} key={editing?.id ?? ''} />
    </>
  );
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
  const add = useAddPaymentMethod();
  const startStripeSetup = useStartStripeSetup();
  const title = type === 'ach' ? 'Add Bank Account' : 'Add Credit Card';
  return (
    <Modal opened={type !== null} onClose={onClose} title={title} size="lg" centered>
      {type && (
        <AddPaymentMethodForm
          type={type}
          processor={processor}
          authorizationTexts={list.authorizationTexts}
          offerDefault={list.paymentMethods.length > 0}
          startStripeSetup={startStripeSetup.mutateAsync}
          save={add.mutateAsync}
          onDone={onClose}
        />
      )}
    </Modal>
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
      friendlyName: requiredField('A name for this method'),
      billingName: requiredField('The billing name'),
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
