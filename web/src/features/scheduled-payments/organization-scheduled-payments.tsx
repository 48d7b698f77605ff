import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import {
  scheduledPaymentStatusLabels,
  type scheduledPaymentAnswer,
  type scheduledPaymentList,
} from '../../../../src/shared/contract/scheduled-payments';
import { PageError, PageLoader } from '../../components/page-state';
import { formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { useCan } from '../auth/session';

/** A scheduled payment as the API answers it (dates as strings). */
type ScheduledPayment = Answer<typeof scheduledPaymentList>['scheduledPayments'][number];

const queryKey = (organizationId: string) => [
  'organizations',
  organizationId,
  'scheduled-payments',
];

/**
 * The organization page's Scheduled Payments tab: what its contacts scheduled (date, invoices and
 * amounts, total, method, who, status), and Cancel for staff who manage clients (audited; the
 * client is sent Payment Cancelled) until the payment starts processing.
 */
export function OrganizationScheduledPayments({ organizationId }: { organizationId: string }) {
  const canManage = useCan('manage_clients');
  const list = useQuery({
    queryKey: queryKey(organizationId),
    queryFn: () =>
      api<Answer<typeof scheduledPaymentList>>(
        `/api/organizations/${organizationId}/scheduled-payments`,
      ),
  });
  const [cancelling, setCancelling] = useState<ScheduledPayment | null>(null);
  if (list.isPending) return <PageLoader label="Loading scheduled payments…" />;
  if (list.isError) return <PageError error={list.error} />;
  const rows = list.data.scheduledPayments;
  return (
    <Stack>
      {rows.length === 0 ? (
        <Text c="dimmed">No scheduled payments.</Text>
      ) : (
        // Scrolls in its own box on a narrow window, so the page never scrolls sideways.
        <Table.ScrollContainer minWidth={860}>
          <Table withTableBorder aria-label="Scheduled payments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Payment date</Table.Th>
                <Table.Th>Invoices</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Total</Table.Th>
                <Table.Th>Payment method</Table.Th>
                <Table.Th>Scheduled by</Table.Th>
                <Table.Th>Status</Table.Th>
                {canManage && <Table.Th>Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((payment) => (
                <Table.Tr key={payment.id}>
                  <Table.Td>{formatDay(payment.runOn)}</Table.Td>
                  <Table.Td>
                    {payment.allocations.map((a) => (
                      <Text size="sm" key={a.invoiceId}>
                        {a.invoiceNumber}: {formatMoney(a.amountCents, payment.currency)}
                      </Text>
                    ))}
                  </Table.Td>
                  <Table.Td style={{ textAlign: 'right' }}>
                    {formatMoney(payment.totalCents, payment.currency)}
                  </Table.Td>
                  <Table.Td>{payment.methodLabel}</Table.Td>
                  <Table.Td>{payment.scheduledBy ?? '—'}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={payment.status === 'scheduled' ? 'blue' : 'gray'}>
                      {scheduledPaymentStatusLabels[payment.status]}
                    </Badge>
                    {payment.outcomeMessage && (
                      <Text size="xs" c="dimmed">
                        {payment.outcomeMessage}
                      </Text>
                    )}
                  </Table.Td>
                  {canManage && (
                    <Table.Td>
                      {payment.status === 'scheduled' && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={`Cancel the payment of ${formatDay(payment.runOn)}`}
                          onClick={() => setCancelling(payment)}
                        >
                          Cancel
                        </Button>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal
        opened={cancelling !== null}
        onClose={() => setCancelling(null)}
        title="Cancel scheduled payment"
        centered
      >
        {cancelling && (
          <CancelForm
            organizationId={organizationId}
            payment={cancelling}
            onDone={() => setCancelling(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}

function CancelForm(props: {
  organizationId: string;
  payment: ScheduledPayment;
  onDone: () => void;
}) {
  const { organizationId, payment } = props;
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () =>
      api<Answer<typeof scheduledPaymentAnswer>>(
        `/api/organizations/${organizationId}/scheduled-payments/${payment.id}/cancel`,
        { method: 'POST' },
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKey(organizationId) }),
  });
  return (
    <Stack>
      <Text>
        Cancel the payment of {formatMoney(payment.totalCents, payment.currency)} scheduled for{' '}
        {formatDay(payment.runOn)}? The client is sent a Payment Cancelled email.
      </Text>
      {cancel.error && (
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Not cancelled">
          {cancel.error.message}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={props.onDone}>
          Keep it
        </Button>
        <Button
          color="red"
          loading={cancel.isPending}
          onClick={() => cancel.mutate(undefined, { onSuccess: props.onDone })}
        >
          Cancel payment
        </Button>
      </Group>
    </Stack>
  );
}
