import { useEffect, useState } from 'react';
import { Anchor, Button, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { DateField } from '../../components/date-field';
import { LoadMore } from '../../components/load-more';
import { PageError, PageLoader } from '../../components/page-state';
import { formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { usePageTitle } from '../../lib/use-page-title';
import { OrganizationSelect } from '../invoices/organization-select';
import {
  transactionMethodTypeLabels,
  transactionMethodTypes,
  transactionFilters,
  transactionStatusLabels,
  transactionStatuses,
} from '../../../../src/shared/contract/staff-payments';
import { DisputeBadge, PaymentStatusBadge } from '../../components/payment-status-badge';
import {
  filterQuery,
  transactionsCsvUrl,
  useTransactions,
  type TransactionFilters,
} from './staff-payments-api';

/** The filters an address holds; a value the list would refuse is left out. */
function filtersFrom(params: URLSearchParams): TransactionFilters {
  const filters: Record<string, string> = {};
  for (const [key, field] of Object.entries(transactionFilters.shape)) {
    const value = params.get(key);
    if (value !== null && field.safeParse(value).success) filters[key] = value;
  }
  return filters as TransactionFilters;
}

/**
 * Transactions: every organization's payments, newest first, filtered by business date, status,
 * method type and organization, a page at a time; Export CSV downloads the filtered list.
 */
export function TransactionsPage() {
  usePageTitle('Transactions');
  // The filters start from the address and are written back to it, so a reload or a shared
  // link shows the same list. The state is the page's own: two filters changed in a row (From,
  // then To) each build on the other, which a render's copy of the address would not.
  const [searchParams, setSearchParams] = useSearchParams();
  const [filters, setFilters] = useState<TransactionFilters>(() => filtersFrom(searchParams));
  useEffect(() => {
    const query = new URLSearchParams(filterQuery(filters)).toString();
    if (query !== searchParams.toString()) setSearchParams(query, { replace: true });
  }, [filters, searchParams, setSearchParams]);
  const set = (change: Partial<TransactionFilters>) =>
    setFilters((current) => ({ ...current, ...change }));
  // A range that ends before it starts is pointed out at the field, not answered "no payments".
  const rangeError =
    filters.from && filters.to && filters.to < filters.from
      ? 'must be on or after the From date'
      : null;
  const list = useTransactions(filters, rangeError === null);
  const rows = list.data?.pages.flatMap((page) => page.payments) ?? [];
  const total = list.data?.pages[0]?.total ?? 0;
  const totalCapped = list.data?.pages[0]?.totalCapped ?? false;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Transactions</Title>
        <Button
          component="a"
          href={transactionsCsvUrl(filters)}
          download
          variant="default"
          leftSection={<IconDownload size={16} />}
          disabled={rangeError !== null}
        >
          Export CSV
        </Button>
      </Group>
      <Group align="flex-end" gap="sm">
        <DateField
          label="From"
          value={filters.from ?? ''}
          onChange={(from) => set({ from: from || undefined })}
          clearable
          w={150}
        />
        <DateField
          label="To"
          value={filters.to ?? ''}
          onChange={(to) => set({ to: to || undefined })}
          clearable
          error={rangeError}
          w={150}
        />
        <Select
          label="Status"
          placeholder="Any status"
          data={transactionStatuses.map((s) => ({ value: s, label: transactionStatusLabels[s] }))}
          value={filters.status ?? null}
          onChange={(status) =>
            set({ status: (status as TransactionFilters['status']) ?? undefined })
          }
          clearable
          w={160}
        />
        <Select
          label="Method type"
          placeholder="Any method"
          data={transactionMethodTypes.map((t) => ({
            value: t,
            label: transactionMethodTypeLabels[t],
          }))}
          value={filters.methodType ?? null}
          onChange={(methodType) =>
            set({ methodType: (methodType as TransactionFilters['methodType']) ?? undefined })
          }
          clearable
          w={190}
        />
        <OrganizationSelect
          label="Organization"
          placeholder="Any organization"
          value={filters.organizationId ?? null}
          onChange={(organizationId) => set({ organizationId: organizationId ?? undefined })}
          clearable
          w={240}
        />
      </Group>
      {rangeError ? (
        <Text c="dimmed">Choose a To date on or after the From date.</Text>
      ) : list.isPending ? (
        <PageLoader label="Loading transactions…" />
      ) : list.isError ? (
        <PageError
          error={list.error}
          title="Could not load the transactions"
          onRetry={() => void list.refetch()}
        />
      ) : rows.length === 0 ? (
        <Text c="dimmed">No payments match these filters.</Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="sm" aria-label="Transactions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Payment</Table.Th>
                  <Table.Th>Date</Table.Th>
                  <Table.Th>Organization</Table.Th>
                  <Table.Th>Method</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Amount</Table.Th>
                  <Table.Th ta="right">Refunded</Table.Th>
                  <Table.Th ta="right">Unapplied</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((payment) => (
                  <Table.Tr key={payment.id}>
                    <Table.Td>{payment.number}</Table.Td>
                    <Table.Td>{formatDay(payment.paidOn)}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/organizations/${payment.organizationId}`}>
                        {payment.organizationName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{payment.methodLabel}</Table.Td>
                    <Table.Td>
                      <PaymentStatusBadge payment={payment} />
                      <DisputeBadge dispute={payment.dispute} />
                    </Table.Td>
                    <Table.Td ta="right">
                      {formatMoney(payment.amountCents, payment.currency)}
                    </Table.Td>
                    <Table.Td ta="right">
                      {formatMoney(payment.refundedCents, payment.currency)}
                    </Table.Td>
                    <Table.Td ta="right">
                      {formatMoney(payment.unappliedCents, payment.currency)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore
            shown={rows.length}
            total={total}
            totalCapped={totalCapped}
            noun="payments"
            hasMore={list.hasNextPage}
            loading={list.isFetchingNextPage}
            onLoad={() => list.fetchNextPage()}
          />
        </>
      )}
    </Stack>
  );
}
