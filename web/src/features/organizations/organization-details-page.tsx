import type { ReactNode } from 'react';
import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { IconArchive, IconArchiveOff, IconPencil } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { NotFoundPage } from '../../app/not-found-page';
import { PageError, PageLoader } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import { formatCount, formatDateTime } from '../../lib/format';
import { usePageTitle } from '../../lib/use-page-title';
import { AuditLog } from '../audit/audit-log';
import { useCan } from '../auth/session';
import { ContactsSection } from '../contacts/contacts-section';
import { OrganizationEmailing } from '../email/organization-emailing';
import {
  OrganizationInvoices,
  PreviewAccountSummaryButton,
} from '../invoices/organization-invoices';
import { OrganizationBillingCard } from './organization-billing';
import { OrganizationFormModal } from './organization-form-modal';
import { OrganizationNotes } from './organization-notes';
import { OrganizationPaymentMethods } from '../payments/organization-payment-methods';
import { OrganizationPayments } from '../payments/organization-payments';
import { OrganizationScheduledPayments } from '../scheduled-payments/organization-scheduled-payments';
import {
  useOrganization,
  useSetArchived,
  useUpdateOrganization,
  type Organization,
} from './organizations-api';
import { OrganizationAutopay } from '../autopay/organization-autopay';
import { OrganizationTickets } from '../tickets/organization-tickets';

export function OrganizationDetailsPage() {
  const { organizationId = '' } = useParams();
  const organization = useOrganization(organizationId);
  usePageTitle(
    organization.data ? `${organization.data.name} · Organization Details` : 'Organization Details',
  );

  if (organization.isPending) return <PageLoader label="Loading organization…" />;
  if (organization.isError) {
    const error = organization.error;
    // A malformed id is a 400 from the server; to the user both mean "no such organization".
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
      return (
        <NotFoundPage
          title="Organization not found"
          message="No organization has this address. It may have been mistyped."
        />
      );
    }
    return (
      <PageError
        error={error}
        title="Could not load this organization"
        onRetry={() => void organization.refetch()}
      />
    );
  }
  // Keyed by id, so moving to another organization starts its notes and cards afresh.
  return <OrganizationDetails key={organizationId} organization={organization.data} />;
}

function OrganizationDetails({ organization }: { organization: Organization }) {
  const canManage = useCan('manage_clients');
  const [editOpened, editModal] = useDisclosure(false);
  const updateOrganization = useUpdateOrganization(organization.id);
  const setArchived = useSetArchived(organization.id);
  const archived = organization.archivedAt !== null;

  const confirmArchive = () =>
    modals.openConfirmModal({
      title: archived ? `Restore ${organization.name}?` : `Archive ${organization.name}?`,
      children: (
        <Text size="sm">
          {archived
            ? 'The organization returns to the active list.'
            : 'The organization leaves the active list. Its contacts, notes and history are kept, and you can restore it at any time.'}
        </Text>
      ),
      labels: { confirm: archived ? 'Restore' : 'Archive', cancel: 'Cancel' },
      confirmProps: { color: archived ? 'blue' : 'red' },
      onConfirm: () =>
        setArchived.mutate(!archived, {
          onSuccess: () =>
            notifySuccess(`${organization.name} ${archived ? 'restored' : 'archived'}`),
          onError: (error) => notifyError(error),
        }),
    });

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to="/organizations">
          Organizations
        </Anchor>
        <Text>{organization.name}</Text>
      </Breadcrumbs>

      <Group justify="space-between" align="flex-start">
        <Group gap="sm">
          <Title order={1}>{organization.name}</Title>
          {archived && (
            <Badge color="gray" variant="filled">
              Archived
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <PreviewAccountSummaryButton
            organizationId={organization.id}
            organizationName={organization.name}
          />
          <Button
            variant="default"
            leftSection={<IconPencil size={16} />}
            onClick={editModal.open}
            disabled={!canManage}
          >
            Edit
          </Button>
          <Button
            variant="default"
            color={archived ? undefined : 'red'}
            leftSection={archived ? <IconArchiveOff size={16} /> : <IconArchive size={16} />}
            onClick={confirmArchive}
            disabled={!canManage}
            loading={setArchived.isPending}
          >
            {archived ? 'Restore' : 'Archive'}
          </Button>
        </Group>
      </Group>

      {!canManage && <ReadOnlyNote />}

      <Paper withBorder p="lg" component="section" aria-labelledby="organization-details-heading">
        <Title order={2} size="h4" id="organization-details-heading" mb="md">
          Organization Details
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="lg">
          <DetailBlock label="Address">
            <AddressLines organization={organization} />
          </DetailBlock>
          <DetailBlock label="Contacts">
            <Text>{formatCount(organization.contactCount)}</Text>
          </DetailBlock>
          <DetailBlock label="Last Login">
            <Text>{formatDateTime(organization.lastLoginAt)}</Text>
          </DetailBlock>
          <DetailBlock label="Emailing">
            <OrganizationEmailing organization={organization} />
          </DetailBlock>
        </SimpleGrid>
      </Paper>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Stack gap="lg">
          <Paper
            withBorder
            p="lg"
            component="section"
            aria-labelledby="default-notification-heading"
          >
            <DefaultNotificationEmails organization={organization} />
          </Paper>
          <Paper
            withBorder
            p="lg"
            component="section"
            aria-labelledby="organization-billing-heading"
          >
            <OrganizationBillingCard organization={organization} canEdit={canManage} />
          </Paper>
        </Stack>
        <Paper withBorder p="lg">
          <OrganizationNotes
            organizationId={organization.id}
            savedNotes={organization.notes}
            canEdit={canManage}
          />
        </Paper>
      </SimpleGrid>

      <Tabs defaultValue="contacts" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="contacts">Contacts ({formatCount(organization.contactCount)})</Tabs.Tab>
          <Tabs.Tab value="invoices">Invoices</Tabs.Tab>
          <Tabs.Tab value="payments">Payments</Tabs.Tab>
          <Tabs.Tab value="scheduled-payments">Scheduled Payments</Tabs.Tab>
          <Tabs.Tab value="payment-methods">Payment Methods</Tabs.Tab>
          <Tabs.Tab value="autopay">AutoPay</Tabs.Tab>
          <Tabs.Tab value="tickets">Tickets</Tabs.Tab>
          <Tabs.Tab value="audit">Audit Log</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="contacts" pt="md">
          <ContactsSection organization={organization} />
        </Tabs.Panel>
        <Tabs.Panel value="invoices" pt="md">
          <OrganizationInvoices organizationId={organization.id} />
        </Tabs.Panel>
        <Tabs.Panel value="payments" pt="md">
          <OrganizationPayments organizationId={organization.id} />
        </Tabs.Panel>
        <Tabs.Panel value="scheduled-payments" pt="md">
          <OrganizationScheduledPayments organizationId={organization.id} />
        </Tabs.Panel>
        <Tabs.Panel value="payment-methods" pt="md">
          <OrganizationPaymentMethods organizationId={organization.id} />
        </Tabs.Panel>
        <Tabs.Panel value="autopay" pt="md">
          <OrganizationAutopay organizationId={organization.id} />
        </Tabs.Panel>
        <Tabs.Panel value="tickets" pt="md">
          <OrganizationTickets organizationId={organization.id} />
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="md">
          <AuditLog organizationId={organization.id} currency={organization.currency} />
        </Tabs.Panel>
      </Tabs>

      <OrganizationFormModal
        opened={editOpened}
        onClose={editModal.close}
        title={`Edit ${organization.name}`}
        submitLabel="Save"
        initialValues={{
          name: organization.name,
          addressLine1: organization.addressLine1,
          addressLine2: organization.addressLine2,
          city: organization.city,
          region: organization.region,
          postalCode: organization.postalCode,
          country: organization.country,
        }}
        onSubmit={async (values) => {
          await updateOrganization.mutateAsync(values);
          notifySuccess('Organization Details saved');
        }}
      />
    </Stack>
  );
}

function DetailBlock({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" mb={4}>
        {label}
      </Text>
      {children}
    </div>
  );
}

function AddressLines({ organization }: { organization: Organization }) {
  const cityLine = [
    [organization.city, organization.region].filter(Boolean).join(', '),
    organization.postalCode,
  ]
    .filter(Boolean)
    .join(' ');
  const lines = [organization.addressLine1, organization.addressLine2, cityLine].filter(Boolean);
  if (lines.length === 0) return <Text c="dimmed">No address</Text>;
  return (
    <Text component="address" style={{ fontStyle: 'normal' }}>
      {lines.map((line) => (
        <span key={line} style={{ display: 'block' }}>
          {line}
        </span>
      ))}
    </Text>
  );
}

function DefaultNotificationEmails({ organization }: { organization: Organization }) {
  const contacts = organization.defaultNotificationContacts;
  return (
    <>
      <Title
        order={2}
        size="h6"
        id="default-notification-heading"
        tt="uppercase"
        c="dimmed"
        mb="xs"
      >
        Default Notification Emails
      </Title>
      {contacts.length === 0 ? (
        <Text c="dimmed">None yet: star a contact below</Text>
      ) : (
        <Stack
          gap={4}
          component="ul"
          aria-labelledby="default-notification-heading"
          style={{ listStyle: 'none', padding: 0, margin: 0 }}
        >
          {contacts.map((contact) => (
            <Text component="li" key={contact.id}>
              <Anchor href={`mailto:${contact.email}`}>{contact.email}</Anchor>{' '}
              <Text span c="dimmed" size="sm">
                ({contact.name})
              </Text>
            </Text>
          ))}
        </Stack>
      )}
      <Text size="xs" c="dimmed" mt="sm">
        These contacts get billing email by default.
      </Text>
    </>
  );
}
