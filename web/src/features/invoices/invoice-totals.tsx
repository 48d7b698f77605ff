import { Table } from '@mantine/core';
import { formatMoney } from '../../lib/money';

/** Right-aligned label/amount rows; the last one bold. */
export function InvoiceTotals({
  rows,
  currency,
}: {
  rows: [label: string, cents: number][];
  currency: string;
}) {
  return (
    <Table w="auto" withRowBorders={false} verticalSpacing={2} aria-label="Totals">
      <Table.Tbody>
        {rows.map(([label, cents], index) => {
          const last = index === rows.length - 1;
          return (
            <Table.Tr key={label}>
              <Table.Th fw={last ? 700 : 500} pr="xl" scope="row">
                {label}
              </Table.Th>
              <Table.Td fw={last ? 700 : undefined} style={{ textAlign: 'right' }}>
                {formatMoney(cents, currency)}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
