import { useState } from 'react';
import {
  Accordion,
  ActionIcon,
  Badge,
  Button,
  Group,
  Loader,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { IconLink, IconSearch, IconStar, IconStarFilled, IconUserPlus } from '@tabler/icons-react';
import { notifyError, notifySuccess } from '../../api/errors';
import { LoadMore } from '../../components/load-more';
import { PageError } from '../../components/page-state';
import { useCan } from '../auth/session';
import type { Organization } from '../organizations/organizations-api';
import { AddContactModal } from './add-contact-modal';
import { ContactCard } from './contact-card';
import {
  useOrganizationContacts,
  useSetDefaultNotification,
  type ContactSort,
  type OrganizationContact,
} from './contacts-api';
import { RelateContactModal } from './relate-contact-modal';

const sortOptions: { value: ContactSort; label: string }[] = [
  { value: 'name', label: 'Name' },
  { value: 'email', label: 'Email' },
  { value: 'lastLogin', label: 'Last Login' },
  { value: 'profile', label: 'Profile' },
];

export function ContactsSection({ organization }: { organization: Organization }) {
  const canManage = useCan('manage_clients');
  const [sort, setSort] = useState<ContactSort>('name');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const contacts = useOrganizationContacts(organization.id, sort, q);
  const shown = contacts.data?.pages.flatMap((page) => page.contacts) ?? [];
  const total = contacts.data?.pages[0]?.total ?? 0;
  const setDefault = useSetDefaultNotification(organization.id);
  const [addOpened, addModal] = useDisclosure(false);
  const [relateOpened, relateModal] = useDisclosure(false);

  // One card open at a time. A card, once opened, stays mounted (hidden) when collapsed,
  // so unsaved edits survive closing and reopening it.
  const [openCard, setOpenCard] = useState<string | null>(null);
  const [visited, setVisited] = useState<ReadonlySet<string>>(new Set());
  const toggleCard = (value: string | null) => {
    setOpenCard(value);
    if (value && !visited.has(value)) setVisited(new Set(visited).add(value));
  };

  const toggleDefault = (contact: OrganizationContact) => {
    const isDefault = !contact.isDefaultNotification;
    setDefault.mutate(
      { contactId: contact.id, isDefault },
      {
        onSuccess: () =>
          notifySuccess(
            isDefault
              ? `${contact.name} now gets billing email by default`
              : `${contact.name} no longer gets billing email by default`,
          ),
        onError: (error) => notifyError(error, 'Could not change the default notification contact'),
      },
    );
  };

  return (
    <Stack component="section" aria-labelledby="contacts-heading">
      <Group justify="space-between" align="flex-end">
        <Title order={2} id="contacts-heading">
          Contacts
        </Title>
        <Group gap="xs">
          <Button
            leftSection={<IconUserPlus size={16} />}
            onClick={addModal.open}
            disabled={!canManage}
          >
            Add Contact
          </Button>
          <Button
            variant="light"
            leftSection={<IconLink size={16} />}
            onClick={relateModal.open}
            disabled={!canManage}
          >
            Relate Existing Contact
          </Button>
        </Group>
      </Group>

      <Group align="flex-end" gap="md">
        <Select
          label="Sort By"
          data={sortOptions}
          value={sort}
          onChange={(value) => setSort((value as ContactSort | null) ?? 'name')}
          allowDeselect={false}
          w={180}
        />
        <TextInput
          label="Find Contact"
          placeholder="Name, email or phone"
          leftSection={<IconSearch size={16} />}
          rightSection={contacts.isFetching ? <Loader size="xs" /> : null}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={{ base: '100%', sm: 300 }}
        />
      </Group>

      {contacts.isPending ? (
        <Group gap="xs" role="status">
          <Loader size="sm" />
          <Text c="dimmed" size="sm">
            Loading contacts…
          </Text>
        </Group>
      ) : contacts.isError ? (
        <PageError
          error={contacts.error}
          title="Could not load contacts"
          onRetry={() => void contacts.refetch()}
        />
      ) : shown.length === 0 ? (
        <Text c="dimmed">{q ? 'No contacts match that search.' : 'No contacts yet.'}</Text>
      ) : (
        <>
          <Accordion
            variant="separated"
            value={openCard}
            onChange={toggleCard}
            chevronPosition="left"
          >
            {shown.map((contact) => (
              <Accordion.Item key={contact.id} value={contact.id}>
                <Group wrap="nowrap" gap={0} pr="sm">
                  {/* Named by the contact alone; the email and badge are there to read. */}
                  <Accordion.Control aria-label={contact.name}>
                    <Group gap="sm" wrap="wrap">
                      <Text fw={600}>{contact.name}</Text>
                      <Text size="sm" c="dimmed">
                        {contact.email}
                      </Text>
                      <Badge variant="light" color={contact.accessProfileId ? 'blue' : 'gray'}>
                        {contact.accessProfileName}
                      </Badge>
                    </Group>
                  </Accordion.Control>
                  <Tooltip
                    label={
                      contact.isDefaultNotification
                        ? 'Default notification contact'
                        : 'Make a default notification contact'
                    }
                    disabled={!canManage}
                  >
                    <ActionIcon
                      variant="subtle"
                      color="yellow"
                      size="lg"
                      aria-label={`Default notification contact: ${contact.name}`}
                      aria-pressed={contact.isDefaultNotification}
                      onClick={() => toggleDefault(contact)}
                      disabled={!canManage}
                    >
                      {contact.isDefaultNotification ? (
                        <IconStarFilled size={20} />
                      ) : (
                        <IconStar size={20} />
                      )}
                    </ActionIcon>
                  </Tooltip>
                </Group>
                <Accordion.Panel>
                  {visited.has(contact.id) && (
                    <ContactCard
                      contactId={contact.id}
                      organizationId={organization.id}
                      canManage={canManage}
                    />
                  )}
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
          <LoadMore
            shown={shown.length}
            total={total}
            noun="contacts"
            hasMore={contacts.hasNextPage}
            loading={contacts.isFetchingNextPage}
            disabled={contacts.isPlaceholderData}
            onLoad={() => contacts.fetchNextPage()}
          />
        </>
      )}

      <AddContactModal opened={addOpened} onClose={addModal.close} organization={organization} />
      <RelateContactModal
        opened={relateOpened}
        onClose={relateModal.close}
        organization={organization}
      />
    </Stack>
  );
}
