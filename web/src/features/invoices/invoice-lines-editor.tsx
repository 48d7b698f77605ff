import {
  Button,
  Checkbox,
  Group,
  Paper,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { formatMoney, formatRate } from '../../lib/money';
import { emptyLine, type InvoiceFormValues } from './invoice-form-values';
import { InvoiceTotals as Totals } from './invoice-totals';

/** The invoice form's lines: add, edit and remove them, each amount and the totals live. */
export function InvoiceLinesEditor({
  form,
  currency,
  amounts,
  subtotal,
  tax,
  ratePpm,
}: {
  form: UseFormReturnType<InvoiceFormValues>;
  currency: string;
  /** Each line's amount in minor units, null while it does not read. */
  amounts: (number | null)[];
  subtotal: number;
  tax: number;
  ratePpm: number;
}) {
  const values = form.getValues();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="invoice-lines-heading">
      <Title order={2} size="h4" id="invoice-lines-heading" mb="sm">
        Lines
      </Title>
      <Table.ScrollContainer minWidth={760}>
        <Table verticalSpacing="xs" aria-labelledby="invoice-lines-heading">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Description</Table.Th>
              <Table.Th w={120}>Quantity</Table.Th>
              <Table.Th w={150}>Unit price</Table.Th>
              <Table.Th w={80}>Taxable</Table.Th>
              <Table.Th w={130} style={{ textAlign: 'right' }}>
                Amount
              </Table.Th>
              <Table.Th w={60}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {values.lines.map((line, index) => {
              const n = index + 1;
              const amount = amounts[index];
              return (
                <Table.Tr key={line.key} style={{ verticalAlign: 'top' }}>
                  <Table.Td>
                    {/* Descriptions run to a page (a scope of work): the box grows with them. */}
                    <Textarea
                      aria-label={`Description, line ${n}`}
                      autosize
                      minRows={1}
                      maxRows={12}
                      {...form.getInputProps(`lines.${index}.description`)}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={`Quantity, line ${n}`}
                      inputMode="decimal"
                      {...form.getInputProps(`lines.${index}.quantity`)}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={`Unit price, line ${n}`}
                      inputMode="decimal"
                      placeholder="0.00"
                      {...form.getInputProps(`lines.${index}.unitPrice`)}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Checkbox
                      aria-label={`Taxable, line ${n}`}
                      mt={8}
                      {...form.getInputProps(`lines.${index}.taxable`, {
                        type: 'checkbox',
                      })}
                    />
                  </Table.Td>
                  <Table.Td style={{ textAlign: 'right', paddingTop: 14 }}>
                    <Text size="sm" aria-label={`Amount, line ${n}`}>
                      {amount === null || amount === undefined
                        ? '—'
                        : formatMoney(amount, currency)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      variant="subtle"
                      color="red"
                      size="compact-sm"
                      mt={6}
                      aria-label={`Remove line ${n}`}
                      disabled={values.lines.length === 1}
                      onClick={() => form.removeListItem('lines', index)}
                    >
                      <IconTrash size={16} />
                    </Button>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {form.errors.lines && (
        <Text c="red" size="sm" role="alert" mt="xs">
          {form.errors.lines}
        </Text>
      )}
      <Group justify="space-between" align="flex-start" mt="sm">
        <Button
          variant="default"
          leftSection={<IconPlus size={16} />}
          onClick={() => {
            form.insertListItem('lines', emptyLine());
            form.clearFieldError('lines');
          }}
        >
          Add line
        </Button>
        <Totals
          currency={currency}
          rows={[
            ['Subtotal', subtotal],
            [ratePpm ? `Tax (${formatRate(ratePpm)})` : 'Tax', tax],
            ['Total', subtotal + tax],
          ]}
        />
      </Group>
    </Paper>
  );
}
