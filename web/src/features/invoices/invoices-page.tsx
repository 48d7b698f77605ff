import { Button, Group, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFileImport, IconPlus } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { ReadOnlyNote } from '../../components/read-only-note';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan } from '../auth/session';
import { ImportInvoicesModal } from './import-invoices-modal';
import { InvoiceList } from './invoice-list';

export function InvoicesPage() {
  usePageTitle('Invoices');
  const canManage = useCan('manage_clients');
  const navigate = useNavigate();
  const [importOpened, importModal] = useDisclosure(false);

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Invoices</Title>
        {canManage && (
          <Group gap="xs">
            <Button
              variant="default"
              leftSection={<IconFileImport size={16} />}
              onClick={importModal.open}
            >
              Import CSV
            </Button>
            <Button
              onClick={() => void navigate('/invoices/new')}
              leftSection={<IconPlus size={16} />}
            >
              New Invoice
            </Button>
          </Group>
        )}
      </Group>
      {!canManage && <ReadOnlyNote />}
      <InvoiceList />
      <ImportInvoicesModal opened={importOpened} onClose={importModal.close} />
    </Stack>
  );
}
