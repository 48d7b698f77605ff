import { Badge, Group } from '@mantine/core';
import { overdueLabel } from '../../lib/money';
import {
  invoiceStatusLabels as statusLabels,
  invoiceStatuses,
  type InvoiceStatus,
} from '../../../../src/shared/invoice-status';

const statusColors: Record<InvoiceStatus, string> = {
  draft: 'gray',
  open: 'blue',
  partially_paid: 'orange',
  paid: 'green',
  void: 'red',
};

export const statusOptions = invoiceStatuses.map((value) => ({
  value,
  label: statusLabels[value],
}));

/** The status people read, and how late it is when an open invoice is past its due date. */
export function InvoiceStatusBadge({
  status,
  daysOverdue,
  size = 'sm',
}: {
  status: InvoiceStatus;
  daysOverdue: number;
  size?: 'sm' | 'md' | 'lg';
}) {
  const overdue = daysOverdue > 0 && (status === 'open' || status === 'partially_paid');
  return (
    <Group gap={4}>
      <Badge color={statusColors[status]} variant="light" size={size} style={{ flexShrink: 0 }}>
        {statusLabels[status]}
      </Badge>
      {overdue && (
        <Badge color="red" variant="outline" size={size} style={{ flexShrink: 0 }}>
          {overdueLabel(daysOverdue)}
        </Badge>
      )}
    </Group>
  );
}
