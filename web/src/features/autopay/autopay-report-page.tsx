import { useState } from 'react';
import {
  Anchor,
  Badge,
  Button,
  Group,
  List,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload, IconLock, IconSearch } from '@tabler/icons-react';
import { Link } from 'react-router';
import { LoadMore } from '../../components/load-more';
import { PageError, PageLoader } from '../../components/page-state';
import { formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { usePageTitle } from '../../lib/use-page-title';
import {
  autopayReportCsvUrl,
  useAutopayReport,
  type AutopayReportFilters,
  type AutopayReportRow,
} from './autopay-api';

type EnabledFilter = 'any' | 'true' | 'false';

/**
 * AutoPay Configurations: every organization with AutoPay set up, by name: AutoPay Enabled or
 * not, required, its rules (services, when, method, cap, on or off, locked) and how the last
 * run went at its invoices; a page at a time, and Export CSV of the same filters.
 */
export function AutopayReportPage() {
  usePageTitle('AutoPay Configurations');
  const [search, setSearch] = useState('');
  const [enabled, setEnabled] = useState<EnabledFilter>('any');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300);
  const filters: AutopayReportFilters = {
    ...(debouncedSearch ? { search: debouncedSearch } : {}),
    ...(enabled === 'any' ? {} : { enabled }),
  };
  const report = useAutopayReport(filters);
  const rows = report.data?.pages.flatMap((page) => page.organizations) ?? [];
  const total = report.data?.pages[0]?.total ?? 0;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>AutoPay Configurations</Title>
        <Button
          component="a"
          href={autopayReportCsvUrl(filters)}
          download
          variant="default"
          leftSection={<IconDownload size={16} />}
        >
          Export CSV
        </Button>
      </Group>
      <Group align="flex-end" gap="sm">
        <TextInput
          label="Find organization"
          placeholder="Name"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={280}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="autopay-enabled-filter">
            AutoPay Enabled
          </Text>
          <SegmentedControl
            aria-labelledby="autopay-enabled-filter"
            value={enabled}
            onChange={(value) => setEnabled(value as EnabledFilter)}
            data={[
              { value: 'any', label: 'Any' },
              { value: 'true', label: 'On' },
              { value: 'false', label: 'Off' },
            ]}
          />
        </Stack>
      </Group>
      {report.isPending ? (
        <PageLoader label="Loading AutoPay configurations…" />
      ) : report.isError ? (
        <PageError
          error={report.error}
          title="Could not load the AutoPay configurations"
          onRetry={() => void report.refetch()}
        />
      ) : rows.length === 0 ? (
        <Text c="dimmed">
          {debouncedSearch || enabled !== 'any'
            ? 'No organization with AutoPay set up matches these filters.'
            : 'No organization has AutoPay set up yet.'}
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={960}>
            <Table verticalSpacing="sm" aria-label="AutoPay configurations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Organization</Table.Th>
                  <Table.Th>AutoPay</Table.Th>
                  <Table.Th>Rules</Table.Th>
                  <Table.Th>Last run</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row) => (
                  <ReportRow key={row.organizationId} row={row} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore
            shown={rows.length}
            total={total}
            noun="organizations"
            hasMore={report.hasNextPage}
            loading={report.isFetchingNextPage}
            disabled={report.isPlaceholderData}
            onLoad={() => report.fetchNextPage()}
          />
        </>
      )}
    </Stack>
  );
}

function ReportRow({ row }: { row: AutopayReportRow }) {
  const run = row.lastRun;
  return (
    <Table.Tr style={{ verticalAlign: 'top' }}>
      <Table.Td maw={260} style={{ overflowWrap: 'anywhere' }}>
        <Anchor component={Link} to={`/organizations/${row.organizationId}`}>
          {row.organizationName}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Badge color={row.enabled ? 'green' : 'gray'} variant="light">
            {row.enabled ? 'Enabled' : 'Off'}
          </Badge>
          {row.required && (
            <Badge color="blue" variant="light">
              Required
            </Badge>
          )}
        </Group>
        {/* Staff cannot turn AutoPay on without recording the client's authorization: on
            without one, a contact turned it on in the portal and agreed to it there. */}
        {!row.authorizedAt && row.enabled && (
          <Text size="xs" c="dimmed" mt={4}>
            Turned on by the client in the portal
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {row.rules.length === 0 ? (
          <Text size="sm" c="dimmed">
            No rules
          </Text>
        ) : (
          <List size="sm" spacing={4} type="ordered">
            {row.rules.map((rule) => (
              <List.Item key={rule.id}>
                <Text size="sm" span c={rule.enabled ? undefined : 'dimmed'}>
                  {rule.categories.length ? rule.categories.join(', ') : 'All services'} ·{' '}
                  {rule.timingLabel} ·{' '}
                  {rule.methodLabel ?? `Default method (${row.defaultMethodLabel ?? 'none yet'})`}
                  {rule.maxAmountCents !== null &&
                    ` · up to ${formatMoney(rule.maxAmountCents, row.currency)}`}
                  {!rule.enabled && ' · off'}
                </Text>
                {rule.locked && (
                  <Badge
                    ml={6}
                    size="xs"
                    color="gray"
                    variant="light"
                    leftSection={<IconLock size={10} />}
                  >
                    Locked
                  </Badge>
                )}
              </List.Item>
            ))}
          </List>
        )}
      </Table.Td>
      <Table.Td>
        {run === null ? (
          <Text size="sm" c="dimmed">
            Not run yet
          </Text>
        ) : (
          <Stack gap={2}>
            <Text size="sm">{formatDay(run.runDate)}</Text>
            <Text size="xs" c="dimmed">
              {[
                `${run.charged} charged (${formatMoney(run.chargedCents, row.currency)})`,
                run.failed && `${run.failed} failed`,
                run.retryScheduled && `${run.retryScheduled} to try again`,
                run.gaveUp && `${run.gaveUp} gave up`,
                run.skipped && `${run.skipped} skipped`,
              ]
                .filter(Boolean)
                .join(', ')}
            </Text>
          </Stack>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
