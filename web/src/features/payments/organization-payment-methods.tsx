import { useState } from 'react';
import {
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  Switch,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconBuildingBank, IconCreditCard, IconLock, IconLockOpen } from '@tabler/icons-react';
import { AddPaymentMethodForm, type MethodType } from '../../components/payment-method-form';
import { MethodRemovalEffects } from '../../components/method-removal-effects';
import { notifyError, notifySuccess } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { formatDate, formatDateTime, formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { useCan } from '../auth/session';
import {
  useAddPaymentMethodForClient,
  useAuthorizingContacts,
  useMakeDefaultPaymentMethod,
  useOrganizationPaymentMethods,
  usePaymentProcessor,
  useStartStripeSetupForClient,
  type StaffPaymentMethodList,
  useOrganizationProviderFees,
  fetchPaymentMethodRemoval,
  useRemovePaymentMethod,
  useUnlockPaymentMethod,
  type StaffPaymentMethod,
} from './payment-methods-api';

/**
 * The organization page's Payment Methods tab: each method with what staff may see of it (its
 * failed charges, why it is locked, the authorization the client gave), Unlock, Make default
 * and Remove; then the provider fees its methods cost the MSP.
 */
export function OrganizationPaymentMethods({ organizationId }: { organizationId: string }) {
  const [showRemoved, setShowRemoved] = useState(false);
  const methods = useOrganizationPaymentMethods(organizationId, showRemoved);
  const canManage = useCan('manage_clients');
  const [adding, setAdding] = useState<MethodType | null>(null);
  return (
    <Stack gap="lg">
      <section aria-labelledby="payment-methods-heading">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="payment-methods-heading">
            Payment Methods
          </Title>
          {methods.data && (
            <Group gap="xs">
              <Switch
                size="sm"
                label="Show removed"
                checked={showRemoved}
                onChange={(event) => setShowRemoved(event.currentTarget.checked)}
              />
              <Button
                size="xs"
                variant="default"
                leftSection={<IconCreditCard size={14} />}
                disabled={!canManage || !methods.data.cardPaymentsEnabled}
                onClick={() => setAdding('card')}
              >
                Add Credit Card
              </Button>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconBuildingBank size={14} />}
                disabled={!canManage || !methods.data.achPaymentsEnabled}
                onClick={() => setAdding('ach')}
              >
                Add Bank Account
              </Button>
            </Group>
          )}
        </Group>
        {methods.data && (
          <AddForClientModal
            organizationId={organizationId}
            type={adding}
            list={methods.data}
            onClose={() => setAdding(null)}
            key={adding ?? 'closed'}
          />
        )}
        {methods.isPending ? (
          <PageLoader label="Loading payment methods…" />
        ) : methods.isError ? (
          <PageError
            error={methods.error}
            title="Could not load the payment methods"
            onRetry={() => void methods.refetch()}
          />
        ) : methods.data.paymentMethods.length === 0 ? (
          <Text c="dimmed">No payment methods on file.</Text>
        ) : (
          <MethodsTable organizationId={organizationId} methods={methods.data.paymentMethods} />
        )}
      </section>
      <ProviderFees organizationId={organizationId} />
    </Stack>
  );
}

function expiryOf(method: StaffPaymentMethod): string {
  if (method.expMonth === null || method.expYear === null) return '—';
  return `${String(method.expMonth).padStart(2, '0')}/${method.expYear}`;
}

function MethodsTable({
  organizationId,
  methods,
}: {
  organizationId: string;
  methods: StaffPaymentMethod[];
}) {
  const canManage = useCan('manage_clients');
  const makeDefault = useMakeDefaultPaymentMethod(organizationId);
  const remove = useRemovePaymentMethod(organizationId);
  const [unlocking, setUnlocking] = useState<StaffPaymentMethod | null>(null);
  const [authorization, setAuthorization] = useState<StaffPaymentMethod | null>(null);

  const confirmRemove = async (method: StaffPaymentMethod) => {
    // What else goes with it (scheduled payments cancelled, AutoPay rules moved to the
    // default); the confirmation opens without the list if it cannot be read.
    const removal = await fetchPaymentMethodRemoval(organizationId, method.id).catch(() => null);
    modals.openConfirmModal({
      title: `Remove ${method.friendlyName}?`,
      children: (
        <Stack gap="xs">
          <Text size="sm">
            {method.friendlyName} ({method.label}) will be removed and never charged again; payments
            made with it are kept.
            {method.isDefault &&
              ' It is the default: the newest remaining method becomes the default.'}
          </Text>
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
      <Table.ScrollContainer minWidth={760}>
        <Table verticalSpacing="sm" aria-labelledby="payment-methods-heading">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Method</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Failed charges</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {methods.map((method) => (
              <Table.Tr
                key={method.id}
                // Removed: greyed, kept for the record (payments name it), nothing to change.
                style={method.removed ? { opacity: 0.55 } : undefined}
                aria-label={method.removed ? `${method.friendlyName} (removed)` : undefined}
              >
                <Table.Td>
                  <Text fw={500}>{method.friendlyName}</Text>
                  <Text size="xs" c="dimmed">
                    {method.billingName} · added {formatDate(method.createdAt)}
                  </Text>
                  {method.removed && (
                    <Text size="xs" c="dimmed">
                      Removed {formatDateTime(method.removed.at)}
                      {method.removed.by ? ` by ${method.removed.by}` : ''}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{method.label}</Table.Td>
                <Table.Td>{expiryOf(method)}</Table.Td>
                <Table.Td>{method.failedChargeCount}</Table.Td>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    <Group gap={4}>
                      {method.removed && (
                        <Badge color="gray" variant="outline">
                          Removed
                        </Badge>
                      )}
                      {method.isDefault && <Badge variant="light">Default</Badge>}
                      {method.expired && <Badge color="red">Expired</Badge>}
                      {method.locked && (
                        <Badge color="red" leftSection={<IconLock size={12} />}>
                          Locked
                        </Badge>
                      )}
                    </Group>
                    {method.unavailableReason && (
                      <Text size="xs" c="red.8">
                        {method.unavailableReason}
                        {method.lockedAt ? ` (${formatDateTime(method.lockedAt)})` : ''}
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="subtle" onClick={() => setAuthorization(method)}>
                      Authorization
                    </Button>
                    {!method.removed && method.locked && (
                      <Button
                        size="xs"
                        leftSection={<IconLockOpen size={14} />}
                        disabled={!canManage}
                        onClick={() => setUnlocking(method)}
                        aria-label={`Unlock ${method.friendlyName}`}
                      >
                        Unlock
                      </Button>
                    )}
                    {!method.removed && !method.isDefault && (
                      <Button
                        size="xs"
                        variant="default"
                        disabled={!canManage}
                        onClick={() =>
                          makeDefault.mutate(method.id, {
                            onSuccess: () =>
                              notifySuccess(`${method.friendlyName} is the default now`),
                            onError: (error) => notifyError(error, 'Default not changed'),
                          })
                        }
                        aria-label={`Make ${method.friendlyName} the default`}
                      >
                        Make default
                      </Button>
                    )}
                    {!method.removed && (
                      <Tooltip label="Your role cannot change payment methods" disabled={canManage}>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          disabled={!canManage}
                          onClick={() => void confirmRemove(method)}
                          aria-label={`Remove ${method.friendlyName}`}
                        >
                          Remove
                        </Button>
                      </Tooltip>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <UnlockModal
        organizationId={organizationId}
        method={unlocking}
        onClose={() => setUnlocking(null)}
        key={unlocking?.id ?? ''}
      />
      <Modal
        opened={authorization !== null}
        onClose={() => setAuthorization(null)}
        title={authorization ? `Authorization for ${authorization.friendlyName}` : ''}
        size="lg"
        centered
      >
        {authorization && <AuthorizationRecord method={authorization} />}
      </Modal>
    </>
  );
}

/** What the client agreed to, when, from where, and who entered it. */
function AuthorizationRecord({ method }: { method: StaffPaymentMethod }) {
  const record = method.authorization;
  return (
    <Stack gap="sm">
      <Paper withBorder p="sm" bg="gray.0">
        <Text size="sm">{record.text}</Text>
      </Paper>
      <Text size="sm">
        Agreed by {record.contactName ?? 'an unknown contact'} on {formatDateTime(record.at)} from{' '}
        {record.ip}
        {record.staffName ? `, entered by ${record.staffName}` : ', in the client portal'}.
      </Text>
    </Stack>
  );
}

function UnlockModal({
  organizationId,
  method,
  onClose,
}: {
  organizationId: string;
  method: StaffPaymentMethod | null;
  onClose: () => void;
}) {
  const unlock = useUnlockPaymentMethod(organizationId);
  const [reason, setReason] = useState('');
  return (
    <Modal
      opened={method !== null}
      onClose={onClose}
      title={method ? `Unlock ${method.friendlyName}?` : ''}
      centered
    >
      {method && (
        <Stack gap="sm">
          <Text size="sm">
            {method.label}: {method.lockedReason}. Unlocking lets it be charged again and starts its
            failed charges from 0.
          </Text>
          <Textarea
            label="Why (kept in the audit log)"
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
            autosize
            minRows={2}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              loading={unlock.isPending}
              onClick={() =>
                unlock.mutate(
                  { id: method.id, reason },
                  {
                    onSuccess: () => {
                      notifySuccess(`${method.friendlyName} unlocked`);
                      onClose();
                    },
                    onError: (error) => notifyError(error, 'Not unlocked'),
                  },
                )
              }
            >
              Unlock
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** The fees this organization's new payment methods cost the MSP. */
function ProviderFees({ organizationId }: { organizationId: string }) {
  const fees = useOrganizationProviderFees(organizationId);
  return (
    <section aria-labelledby="provider-fees-heading">
      <Title order={2} size="h4" id="provider-fees-heading" mb={4}>
        Provider Fees
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        What the payment processor charges you for each payment method this client added. The client
        never sees these.
      </Text>
      {fees.isPending ? (
        <PageLoader label="Loading provider fees…" />
      ) : fees.isError ? (
        <PageError error={fees.error} onRetry={() => void fees.refetch()} />
      ) : fees.data.fees.length === 0 ? (
        <Text c="dimmed">No provider fees yet.</Text>
      ) : (
        <Table aria-labelledby="provider-fees-heading" maw={720}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Date</Table.Th>
              <Table.Th>Payment method</Table.Th>
              <Table.Th ta="right">Fee</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {fees.data.fees.map((fee) => (
              <Table.Tr key={fee.id}>
                <Table.Td>{formatDay(fee.date)}</Table.Td>
                <Table.Td>
                  {fee.friendlyName} ({fee.methodLabel})
                </Table.Td>
                <Table.Td ta="right">{formatMoney(fee.amountCents, fee.currency)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr>
              <Table.Th colSpan={2}>Total</Table.Th>
              <Table.Th ta="right">{formatMoney(fees.data.totalCents, 'USD')}</Table.Th>
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      )}
    </section>
  );
}

/**
 * Staff enter a card or bank account for a client (a phone call): the numbers still go to the
 * processor only, and Portico keeps it only with the contact who authorized it, to the same
 * words the portal shows.
 */
function AddForClientModal({
  organizationId,
  type,
  list,
  onClose,
}: {
  organizationId: string;
  type: MethodType | null;
  list: StaffPaymentMethodList;
  onClose: () => void;
}) {
  const processor = usePaymentProcessor().data?.name ?? 'sandbox';
  const contacts = useAuthorizingContacts(organizationId, type !== null);
  const add = useAddPaymentMethodForClient(organizationId);
  const stripeSetup = useStartStripeSetupForClient(organizationId);
  const title =
    type === 'ach' ? 'Add Bank Account for the Client' : 'Add Credit Card for the Client';
  return (
    <Modal opened={type !== null} onClose={onClose} title={title} size="lg" centered>
      {type &&
        (contacts.isPending ? (
          <PageLoader label="Loading contacts…" />
        ) : contacts.isError ? (
          <PageError error={contacts.error} onRetry={() => void contacts.refetch()} />
        ) : contacts.data.length === 0 ? (
          <Text size="sm">
            This organization has no contacts yet: add the contact who authorizes the payment method
            first.
          </Text>
        ) : (
          <AddPaymentMethodForm
            type={type}
            processor={processor}
            authorizationTexts={list.authorizationTexts}
            offerDefault={list.paymentMethods.length > 0}
            startStripeSetup={stripeSetup.mutateAsync}
            save={add.mutateAsync}
            onDone={onClose}
            contacts={contacts.data}
            authorizationNote="Read this authorization to the client, and tick “I Agree” only once they agree to it."
          />
        ))}
    </Modal>
  );
}
