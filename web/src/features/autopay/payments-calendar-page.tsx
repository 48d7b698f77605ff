import { useState } from 'react';
import { useMediaQuery } from '@mantine/hooks';
import { narrowScreen } from '../../components/responsive-table';
import {
  ActionIcon,
  Anchor,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react';
import { Link } from 'react-router';
import { autopaySkipReasonLabels } from '../../../../src/shared/contract/autopay';
import { autopayAttemptOutcomeLabels } from '../../../../src/shared/contract/autopay-report';
import { LoadMore } from '../../components/load-more';
import { PageError, PageLoader } from '../../components/page-state';
import { addDays, dateEntry, formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { usePageTitle } from '../../lib/use-page-title';
import {
  usePaymentsCalendar,
  usePaymentsCalendarDay,
  type PaymentsCalendar,
  type PaymentsCalendarDay,
} from './autopay-api';

type DaySummary = PaymentsCalendar['days'][number];
type DayCharge = PaymentsCalendarDay['autopay'][number];

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number) => String(n).padStart(2, '0');

/** The day of the week of a calendar date (0 = Sunday), from the date alone. */
function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The month's grid: from the Sunday on or before its 1st through the Saturday after its end. */
function monthGrid(year: number, month: number): { from: string; through: string; days: string[] } {
  const first = `${year}-${pad(month)}-01`;
  const last = `${year}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;
  const from = addDays(first, -weekday(first))!;
  const through = addDays(last, 6 - weekday(last))!;
  const days: string[] = [];
  for (let day = from; day <= through; day = addDays(day, 1)!) days.push(day);
  return { from, through, days };
}

function totalsText(totals: DaySummary['totals']): string {
  return totals.map((t) => formatMoney(t.amountCents, t.currency)).join(' + ');
}

/**
 * The Payments Calendar: a month of business days, each showing what AutoPay will charge and the
 * scheduled payments due (from today on) or what the runs did and the scheduled payments that
 * ran (today and before), with the day's total; or the same as a list by day. Clicking a day
 * lists its charges and scheduled payments below. Days are the MSP's business dates.
 */
export function PaymentsCalendarPage() {
  usePageTitle('Payments Calendar');
  const today = dateEntry().today ?? new Date().toISOString().slice(0, 10);
  const [month, setMonth] = useState(() => ({
    year: Number(today.slice(0, 4)),
    month: Number(today.slice(5, 7)),
  }));
  // A phone has no room for a month's amounts in seven columns: it starts with the list.
  const narrow = useMediaQuery(narrowScreen, false, { getInitialValueInEffect: false });
  const [view, setView] = useState<'month' | 'list'>(narrow ? 'list' : 'month');
  const [selected, setSelected] = useState<string | null>(null);
  const grid = monthGrid(month.year, month.month);
  const calendar = usePaymentsCalendar(grid.from, grid.through);
  const move = (step: number) => {
    const index = month.year * 12 + (month.month - 1) + step;
    setMonth({ year: Math.floor(index / 12), month: (index % 12) + 1 });
    setSelected(null);
  };
  const title = `${monthNames[month.month - 1]} ${month.year}`;
  const inMonth = (date: string) => Number(date.slice(5, 7)) === month.month;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Payments Calendar</Title>
        <SegmentedControl
          aria-label="Show as"
          value={view}
          onChange={(value) => setView(value as 'month' | 'list')}
          data={[
            { value: 'month', label: 'Month' },
            { value: 'list', label: 'List by day' },
          ]}
        />
      </Group>
      <Text c="dimmed" size="sm">
        AutoPay charges and scheduled payments by day: what the runs did on past days, what is
        planned from today on (as the daily run will make it).
      </Text>
      <Group gap="xs">
        <ActionIcon variant="default" aria-label="Previous month" onClick={() => move(-1)}>
          <IconChevronLeft size={16} />
        </ActionIcon>
        <Title order={2} size="h4" miw={170} ta="center" aria-live="polite">
          {title}
        </Title>
        <ActionIcon variant="default" aria-label="Next month" onClick={() => move(1)}>
          <IconChevronRight size={16} />
        </ActionIcon>
      </Group>
      {calendar.isPending ? (
        <PageLoader label="Loading the calendar…" />
      ) : calendar.isError ? (
        <PageError
          error={calendar.error}
          title="Could not load the calendar"
          onRetry={() => void calendar.refetch()}
        />
      ) : view === 'month' ? (
        <MonthGrid
          days={grid.days}
          summaries={calendar.data.days}
          today={calendar.data.today}
          inMonth={inMonth}
          selected={selected}
          onSelect={setSelected}
        />
      ) : (
        <DayList
          summaries={calendar.data.days.filter((d) => inMonth(d.date))}
          selected={selected}
          onSelect={setSelected}
          monthTitle={title}
        />
      )}
      {selected && <DayDetails date={selected} />}
    </Stack>
  );
}

function DaySummaryText({ summary }: { summary: DaySummary }) {
  return (
    <Stack gap={2}>
      {summary.totals.length > 0 && (
        <Text size="xs" fw={600}>
          {totalsText(summary.totals)}
        </Text>
      )}
      {summary.autopayCount > 0 && <Text size="xs">AutoPay: {summary.autopayCount}</Text>}
      {summary.scheduledCount > 0 && <Text size="xs">Scheduled: {summary.scheduledCount}</Text>}
      {summary.failedCount > 0 && (
        <Text size="xs" c="red.8">
          Declined: {summary.failedCount}
        </Text>
      )}
      {summary.skippedCount > 0 && (
        <Text size="xs" c="dimmed">
          Skipped: {summary.skippedCount}
        </Text>
      )}
    </Stack>
  );
}

function MonthGrid({
  days,
  summaries,
  today,
  inMonth,
  selected,
  onSelect,
}: {
  days: string[];
  summaries: DaySummary[];
  today: string;
  inMonth: (date: string) => boolean;
  selected: string | null;
  onSelect: (date: string) => void;
}) {
  const byDate = new Map(summaries.map((s) => [s.date, s]));
  return (
    <div>
      <SimpleGrid cols={7} spacing={4} verticalSpacing={4} aria-hidden>
        {weekdays.map((day) => (
          <Text key={day} size="xs" fw={600} c="dimmed" ta="center">
            {day}
          </Text>
        ))}
      </SimpleGrid>
      <SimpleGrid cols={7} spacing={4} verticalSpacing={4} mt={4}>
        {days.map((date) => {
          const summary = byDate.get(date);
          const label = `${formatDay(date)}${
            summary
              ? `: ${summary.autopayCount} AutoPay, ${summary.scheduledCount} scheduled${
                  summary.failedCount ? `, ${summary.failedCount} declined` : ''
                }${summary.skippedCount ? `, ${summary.skippedCount} skipped` : ''}${
                  summary.totals.length ? `, ${totalsText(summary.totals)}` : ''
                }`
              : ': nothing due'
          }`;
          return (
            <UnstyledButton
              key={date}
              aria-label={label}
              aria-pressed={selected === date}
              onClick={() => onSelect(date)}
            >
              <Paper
                withBorder
                p={6}
                mih={92}
                radius="sm"
                bg={selected === date ? 'var(--mantine-color-blue-light)' : undefined}
                style={{
                  opacity: inMonth(date) ? 1 : 0.5,
                  borderColor: date === today ? 'var(--mantine-color-blue-filled)' : undefined,
                }}
              >
                <Text size="sm" fw={date === today ? 700 : 400}>
                  {Number(date.slice(8, 10))}
                </Text>
                {summary && <DaySummaryText summary={summary} />}
              </Paper>
            </UnstyledButton>
          );
        })}
      </SimpleGrid>
    </div>
  );
}

function DayList({
  summaries,
  selected,
  onSelect,
  monthTitle,
}: {
  summaries: DaySummary[];
  selected: string | null;
  onSelect: (date: string) => void;
  monthTitle: string;
}) {
  if (summaries.length === 0) {
    return <Text c="dimmed">Nothing is due to be paid in {monthTitle}.</Text>;
  }
  return (
    <Table verticalSpacing="xs" aria-label="Payments by day" highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Day</Table.Th>
          <Table.Th ta="right">AutoPay</Table.Th>
          <Table.Th ta="right">Scheduled</Table.Th>
          <Table.Th ta="right">Declined</Table.Th>
          <Table.Th ta="right">Skipped</Table.Th>
          <Table.Th ta="right">Total</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {summaries.map((summary) => (
          <Table.Tr
            key={summary.date}
            bg={selected === summary.date ? 'var(--mantine-color-blue-light)' : undefined}
          >
            <Table.Td>
              <Anchor component="button" type="button" onClick={() => onSelect(summary.date)}>
                {formatDay(summary.date)}
              </Anchor>
            </Table.Td>
            <Table.Td ta="right">{summary.autopayCount}</Table.Td>
            <Table.Td ta="right">{summary.scheduledCount}</Table.Td>
            <Table.Td ta="right">{summary.failedCount}</Table.Td>
            <Table.Td ta="right">{summary.skippedCount}</Table.Td>
            <Table.Td ta="right">{totalsText(summary.totals) || '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * What became of an AutoPay row, or what will: "Will be charged" or the skip's reason for a
 * planned row; for a try a run made, its outcome in words, with the reason it was skipped or
 * declined.
 */
function ChargeOutcome({ charge }: { charge: DayCharge }) {
  if (charge.outcome === 'planned') {
    return charge.skipReason ? (
      <Text size="sm" c="dimmed">
        Skipped: {autopaySkipReasonLabels[charge.skipReason]}
      </Text>
    ) : (
      <Text size="sm" c="green.8" fw={500}>
        Will be charged
      </Text>
    );
  }
  const label = autopayAttemptOutcomeLabels[charge.outcome];
  const color =
    charge.outcome === 'charged' ? 'green.8' : charge.outcome === 'skipped' ? 'dimmed' : 'red.8';
  return (
    <Text size="sm" c={color} fw={charge.outcome === 'charged' ? 500 : undefined}>
      {charge.reason ? `${label}: ${charge.reason}` : label}
    </Text>
  );
}

/** What one day holds: AutoPay charges (with skips and why) and scheduled payments. */
function DayDetails({ date }: { date: string }) {
  const query = usePaymentsCalendarDay(date);
  const pages = query.data?.pages ?? [];
  const first = pages[0];
  // The day's rows so far: the first page's scheduled payments and totals, every page's charges.
  const day = {
    data: first && { ...first, autopay: pages.flatMap((page) => page.autopay) },
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="calendar-day-heading">
      <Title order={2} size="h4" id="calendar-day-heading" mb="sm">
        {formatDay(date)}
      </Title>
      {query.isPending ? (
        <PageLoader label="Loading the day…" />
      ) : query.isError || !day.data ? (
        <PageError error={query.error} onRetry={() => void query.refetch()} />
      ) : day.data.autopay.length === 0 && day.data.scheduled.length === 0 ? (
        <Text c="dimmed" size="sm">
          No AutoPay charge or scheduled payment on this day.
        </Text>
      ) : (
        <Stack gap="md">
          {day.data.totals.length > 0 && <Text fw={600}>Total: {totalsText(day.data.totals)}</Text>}
          <div>
            <Title order={3} size="h5" mb="xs">
              AutoPay charges
            </Title>
            {day.data.autopay.length === 0 ? (
              <Text c="dimmed" size="sm">
                None.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing="xs" aria-label="AutoPay charges">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Organization</Table.Th>
                      <Table.Th>Invoice</Table.Th>
                      <Table.Th>Payment method</Table.Th>
                      <Table.Th ta="right">Amount</Table.Th>
                      <Table.Th>What happens</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {day.data.autopay.map((charge) => (
                      <Table.Tr key={charge.invoiceId}>
                        <Table.Td style={{ overflowWrap: 'anywhere' }}>
                          <Anchor component={Link} to={`/organizations/${charge.organizationId}`}>
                            {charge.organizationName}
                          </Anchor>
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <Anchor component={Link} to={`/invoices/${charge.invoiceId}`}>
                            {charge.invoiceNumber}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{charge.methodLabel ?? 'None'}</Table.Td>
                        <Table.Td ta="right">
                          {formatMoney(charge.amountCents, charge.currency)}
                        </Table.Td>
                        <Table.Td>
                          <ChargeOutcome charge={charge} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <LoadMore
              shown={day.data.autopay.length}
              total={day.data.autopayTotal}
              noun="AutoPay charges"
              hasMore={query.hasNextPage}
              loading={query.isFetchingNextPage}
              onLoad={() => query.fetchNextPage()}
            />
          </div>
          <div>
            <Title order={3} size="h5" mb="xs">
              Scheduled payments
            </Title>
            {day.data.scheduled.length === 0 ? (
              <Text c="dimmed" size="sm">
                None.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing="xs" aria-label="Scheduled payments">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Organization</Table.Th>
                      <Table.Th>Invoices</Table.Th>
                      <Table.Th>Payment method</Table.Th>
                      <Table.Th ta="right">Amount</Table.Th>
                      <Table.Th>Status</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {day.data.scheduled.map((payment) => (
                      <Table.Tr key={payment.id}>
                        <Table.Td style={{ overflowWrap: 'anywhere' }}>
                          <Anchor component={Link} to={`/organizations/${payment.organizationId}`}>
                            {payment.organizationName}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{payment.invoiceNumbers.join(', ')}</Table.Td>
                        <Table.Td>{payment.methodLabel}</Table.Td>
                        <Table.Td ta="right">
                          {formatMoney(payment.amountCents, payment.currency)}
                        </Table.Td>
                        <Table.Td style={{ textTransform: 'capitalize' }}>
                          {payment.status}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </div>
        </Stack>
      )}
    </Paper>
  );
}
