import { Button, Group, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconReportMoney } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { useCan } from '../auth/session';
import { AccountSummaryModal } from './account-summary-modal';
import { InvoiceList } from './invoice-list';

/** An organization's Invoices tab: its invoices, and a new one for it. */
export function OrganizationInvoices({ organizationId }: { organizationId: string }) {
  const canManage = useCan('manage_clients');
  const navigate = useNavigate();
  return (
    <Stack>
      {canManage && (
        <Group justify="flex-end">
          <Button
            onClick={() =>
              void navigate(`/invoices/new?organizationId=${encodeURIComponent(organizationId)}`)
            }
            leftSection={<IconPlus size={16} />}
          >
            New Invoice
          </Button>
        </Group>
      )}
      <InvoiceList organizationId={organizationId} />
    </Stack>
  );
}

/** "Preview Account Summary" and the modal it opens. */
export function PreviewAccountSummaryButton({
  organizationId,
  organizationName,
}: {
  organizationId: string;
  organizationName: string;
}) {
  const [opened, modal] = useDisclosure(false);
  return (
    <>
      <Button variant="default" leftSection={<IconReportMoney size={16} />} onClick={modal.open}>
        Preview Account Summary
      </Button>
      <AccountSummaryModal
        organizationId={organizationId}
        organizationName={organizationName}
        opened={opened}
        onClose={modal.close}
      />
    </>
  );
}
