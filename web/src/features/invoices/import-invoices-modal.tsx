import { useState } from 'react';
import { Alert, Button, Code, Group, Input, Modal, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError, type FieldError } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { useImportInvoices } from './invoices-api';

const columns = [
  'invoice_number',
  'organization',
  'issue_date',
  'due_date',
  'terms',
  'service_category',
  'tax_rate',
  'description',
  'quantity',
  'unit_price',
  'taxable',
  'external_reference',
  'state',
];

export function ImportInvoicesModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Import Invoices from CSV" size="xl">
      {opened && <ImportForm onClose={onClose} />}
    </Modal>
  );
}

function ImportForm({ onClose }: { onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [failure, setFailure] = useState<{ message: string; fields: FieldError[] } | null>(null);
  const importInvoices = useImportInvoices();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setFailure(null);
    try {
      const csv = await file.text();
      const result = await importInvoices.mutateAsync(csv);
      notifySuccess(`${result.imported} invoice${result.imported === 1 ? '' : 's'} imported`);
      onClose();
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        setFailure({ message: error.message, fields: error.fields });
      } else {
        notifyError(error, 'Import failed');
      }
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack>
        <Text size="sm">
          One row per invoice line; rows with the same invoice_number make one invoice. Columns:
        </Text>
        <Code block>{columns.join(', ')}</Code>
        <Text size="sm" c="dimmed">
          Columns are separated by commas or semicolons. Dates are YYYY-MM-DD; terms are Due on
          receipt, Net 15, Net 30, Net 45 or Net 60; unit_price is in the organization&apos;s
          currency, with a period for decimals (1250.00, 1,250.00 or $1,250.00); quantity has up to
          4 decimals; taxable is yes or no; state is draft or issued. If any row has an error,
          nothing is imported.
        </Text>
        <Input.Wrapper label="CSV file" id="invoice-import-file">
          <Input
            id="invoice-import-file"
            component="input"
            type="file"
            accept=".csv,text/csv"
            data-autofocus
            pt={6}
            onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
              setFile(event.currentTarget.files?.[0] ?? null);
              setFailure(null);
            }}
          />
        </Input.Wrapper>
        {failure && (
          <Alert
            color="red"
            icon={<IconAlertTriangle size={18} />}
            title="Nothing was imported"
            role="alert"
          >
            <Stack gap="sm">
              <Text size="sm">{failure.message}</Text>
              {failure.fields.length > 0 && (
                <Table withTableBorder striped aria-label="Row errors" fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Field</Table.Th>
                      <Table.Th>Message</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {failure.fields.map((field, index) => (
                      <Table.Tr key={`${field.field}-${index}`}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{field.field}</Table.Td>
                        <Table.Td>{field.message}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Stack>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={!file} loading={importInvoices.isPending}>
            Import
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
