import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { notifySuccess } from '../../api/errors';
import { AutopayEditor } from '../../components/autopay-editor';
import { AutopayPreviewTable } from '../../components/autopay-preview';
import { PageError, PageLoader } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import { formatDateTime, formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { autopayAttemptOutcomeLabels } from '../../../../src/shared/contract/autopay-report';
import { useCan } from '../auth/session';
import { useOrganizationPaymentMethods } from '../payments/payment-methods-api';
import { useBranding } from '../settings/settings-api';
import {
  useOrganizationAutopay,
  useOrganizationAutopayPreview,
  useOrganizationLastAutopayRun,
  useSaveOrganizationAutopay,
  type AutopayLastRun,
} from './autopay-api';

const outcomeColors: Record<AutopayLastRun['attempts'][number]['outcome'], string> = {
  charged: 'green',
  failed: 'red',
  skipped: 'gray',
  retry_scheduled: 'yellow',
  gave_up: 'red',
};

/**
 * The organization page's AutoPay tab: the client's editor plus the MSP's side (lock a rule,
 * make AutoPay required, record the client's authorization), the preview of what the rules
 * would charge, the last run's outcome per invoice, and who changed what.
 */
export function OrganizationAutopay({ organizationId }: { organizationId: string }) {
  const autopay = useOrganizationAutopay(organizationId);
  const methods = useOrganizationPaymentMethods(organizationId);
  const preview = useOrganizationAutopayPreview(organizationId);
  const lastRun = useOrganizationLastAutopayRun(organizationId);
  const save = useSaveOrganizationAutopay(organizationId);
  const canManage = useCan('manage_clients');
  const mspName = useBranding().data?.mspName ?? 'the MSP';

  if (autopay.isPending) return <PageLoader label="Loading AutoPay…" />;
  if (autopay.isError) {
    return (
      <PageError
        error={autopay.error}
        title="Could not load AutoPay"
        onRetry={() => void autopay.refetch()}
      />
    );
  }
  const settings = autopay.data;
  return (
    <Stack gap="xl">
      <section aria-labelledby="autopay-heading">
        <Title order={2} size="h4" id="autopay-heading" mb="sm">
          AutoPay
        </Title>
        {!canManage && <ReadOnlyNote />}
        <AutopayEditor
          side="staff"
          settings={settings}
          canChange={canManage}
          methods={methods.data?.paymentMethods ?? []}
          mspName={mspName}
          saving={save.isPending}
          onSave={async (body) => {
            await save.mutateAsync(body as Parameters<typeof save.mutateAsync>[0]);
            notifySuccess('AutoPay saved. The client is sent an AutoPay Changed email.');
          }}
        />
      </section>

      <section aria-labelledby="autopay-preview-heading">
        <Title order={2} size="h4" id="autopay-preview-heading" mb="sm">
          Preview
        </Title>
        {preview.isPending ? (
          <PageLoader label="Loading the preview…" />
        ) : preview.isError ? (
          <PageError error={preview.error} onRetry={() => void preview.refetch()} />
        ) : (
          <AutopayPreviewTable preview={preview.data} autopayEnabled={settings.enabled} />
        )}
      </section>

      <section aria-labelledby="autopay-last-run-heading">
        <Title order={2} size="h4" id="autopay-last-run-heading" mb="sm">
          Last AutoPay run
        </Title>
        {lastRun.isPending ? (
          <PageLoader label="Loading the last run…" />
        ) : lastRun.isError ? (
          <PageError error={lastRun.error} onRetry={() => void lastRun.refetch()} />
        ) : lastRun.data.runDate === null ? (
          <Text c="dimmed" size="sm">
            The AutoPay run has not tried any of this organization's invoices yet.
          </Text>
        ) : (
          <>
            <Text size="sm" mb="xs">
              Run of {formatDay(lastRun.data.runDate)}
            </Text>
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="xs" aria-label="Last AutoPay run">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Invoice</Table.Th>
                    <Table.Th>Try</Table.Th>
                    <Table.Th>Outcome</Table.Th>
                    <Table.Th>Reason</Table.Th>
                    <Table.Th>Payment</Table.Th>
                    <Table.Th ta="right">Amount</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {lastRun.data.attempts.map((attempt, index) => (
                    <Table.Tr key={`${attempt.invoiceId}:${attempt.cycleDueDate}:${index}`}>
                      <Table.Td>{attempt.invoiceNumber}</Table.Td>
                      <Table.Td>{attempt.tryNumber ?? '—'}</Table.Td>
                      <Table.Td>
                        <Badge
                          color={attempt.notReached ? 'gray' : outcomeColors[attempt.outcome]}
                          variant="light"
                          style={{ textTransform: 'none' }}
                        >
                          {attempt.notReached
                            ? 'Not sent, sent again'
                            : autopayAttemptOutcomeLabels[attempt.outcome]}
                        </Badge>
                        {attempt.nextTryOn && (
                          <Text size="xs" c="dimmed">
                            Next try {formatDay(attempt.nextTryOn)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{attempt.reason ?? '—'}</Table.Td>
                      <Table.Td>{attempt.paymentNumber ?? '—'}</Table.Td>
                      <Table.Td ta="right">
                        {attempt.amountCents === null
                          ? '—'
                          : formatMoney(attempt.amountCents, attempt.currency)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </section>

      <section aria-labelledby="autopay-changes-heading">
        <Title order={2} size="h4" id="autopay-changes-heading" mb="sm">
          Who changed what
        </Title>
        {settings.changes.length === 0 ? (
          <Text c="dimmed" size="sm">
            No one has changed AutoPay for this organization yet.
          </Text>
        ) : (
          <Stack gap="xs">
            {settings.changes.map((change, index) => (
              <Group key={index} gap="sm" wrap="nowrap" align="flex-start">
                <Text size="sm" c="dimmed" w={190} style={{ flexShrink: 0 }}>
                  {formatDateTime(change.at)}
                </Text>
                <Text size="sm">
                  <Text span fw={500}>
                    {change.actor}
                  </Text>
                  : {change.summary}
                  {change.note && (
                    <Text span c="dimmed">
                      {' '}
                      (Note: {change.note})
                    </Text>
                  )}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </section>
    </Stack>
  );
}
