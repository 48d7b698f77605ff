import { Button, Group, Loader, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { isEmail, isNotEmpty, useForm } from '@mantine/form';
import { modals } from '@mantine/modals';
import { IconTrash } from '@tabler/icons-react';
import { notifyError, notifySuccess, showApiError } from '../../api/errors';
import { PageError } from '../../components/page-state';
import { UndoSaveButtons } from '../../components/undo-save-buttons';
import { formatDateTime } from '../../lib/format';
import {
  useAccessProfiles,
  fromProfileChoice,
  toProfileChoice,
  useProfileOptions,
} from '../access-profiles/access-profiles-api';
import { ContactEmailMenu } from '../email/contact-email-menu';
import { ContactPortalMenu } from './contact-portal-menu';
import { useContact, useRemoveRelation, useSaveContactCard, type Contact } from './contacts-api';

interface CardValues {
  name: string;
  email: string;
  phone: string;
  // Field names match the API body, so "relations.0.accessProfileId" errors land on the select.
  relations: { organizationId: string; organizationName: string; accessProfileId: string }[];
}

/** The card's form values; the organization being viewed comes first, as Related Company 1. */
function toCardValues(contact: Contact, organizationId: string): CardValues {
  const relations = [...contact.relations].sort(
    (a, b) =>
      Number(b.organizationId === organizationId) - Number(a.organizationId === organizationId),
  );
  return {
    name: contact.name,
    email: contact.email,
    phone: contact.phone,
    relations: relations.map((r) => ({
      organizationId: r.organizationId,
      organizationName: r.organizationName,
      accessProfileId: toProfileChoice(r.accessProfileId),
    })),
  };
}

interface ContactCardProps {
  contactId: string;
  organizationId: string;
  canManage: boolean;
}

/** The expanded body of a contact card: loads the contact and all its related companies. */
export function ContactCard({ contactId, organizationId, canManage }: ContactCardProps) {
  const contact = useContact(contactId);
  // The Profile selects need the profile names before they can show the current choice.
  const profiles = useAccessProfiles();
  if (contact.isPending || profiles.isPending) {
    return (
      <Group gap="xs" py="sm" role="status">
        <Loader size="sm" />
        <Text size="sm" c="dimmed">
          Loading contact…
        </Text>
      </Group>
    );
  }
  if (contact.isError || profiles.isError) {
    return (
      <PageError
        error={contact.error ?? profiles.error}
        title="Could not load this contact"
        onRetry={() => void Promise.all([contact.refetch(), profiles.refetch()])}
      />
    );
  }
  return (
    <ContactCardForm contact={contact.data} organizationId={organizationId} canManage={canManage} />
  );
}

function ContactCardForm({
  contact,
  organizationId,
  canManage,
}: {
  contact: Contact;
  organizationId: string;
  canManage: boolean;
}) {
  const profileOptions = useProfileOptions();
  const saveCard = useSaveContactCard(contact.id);
  const removeRelation = useRemoveRelation(contact.id);

  // Initialised once: later refetches must not overwrite what the user is editing.
  // The form's initial values are always the last saved card, which "Undo Changes" restores.
  const form = useForm<CardValues>({
    mode: 'controlled',
    initialValues: toCardValues(contact, organizationId),
    validate: {
      name: isNotEmpty('Name is required'),
      email: isEmail('Enter a valid email address'),
    },
  });
  const dirty = form.isDirty();
  const savedName = form.getInitialValues().name;

  const save = form.onSubmit((values) =>
    saveCard.mutate(
      {
        name: values.name,
        email: values.email,
        phone: values.phone,
        relations: values.relations.map((r) => ({
          organizationId: r.organizationId,
          accessProfileId: fromProfileChoice(r.accessProfileId),
        })),
      },
      {
        onSuccess: ({ contact: saved }) => {
          const next = toCardValues(saved, organizationId);
          form.setInitialValues(next);
          form.setValues(next);
          form.resetDirty(next);
          notifySuccess('Contact saved');
        },
        // The card keeps the user's edits; the errors show next to the fields.
        onError: (error) => showApiError(error, form, 'Contact not saved'),
      },
    ),
  );

  const confirmRemove = (relation: CardValues['relations'][number]) =>
    modals.openConfirmModal({
      title: `Remove ${relation.organizationName}?`,
      children: (
        <Text size="sm">
          {savedName} will no longer be a contact of {relation.organizationName} and loses portal
          access to it. The contact and their other companies stay as they are.
        </Text>
      ),
      labels: { confirm: 'Remove', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      // mutateAsync, not mutate: removing this organization's relation unmounts the card
      // (the contact leaves the list), and mutate's callbacks would then never run.
      onConfirm: () =>
        removeRelation.mutateAsync(relation.organizationId).then(
          () => {
            // Drop the relation from both the saved card and the edits; keep other edits.
            const without = (v: CardValues) =>
              v.relations.filter((r) => r.organizationId !== relation.organizationId);
            const saved = {
              ...form.getInitialValues(),
              relations: without(form.getInitialValues()),
            };
            form.setInitialValues(saved);
            form.setFieldValue('relations', without(form.getValues()));
            form.clearErrors();
            form.resetDirty(saved);
            notifySuccess(`${savedName} removed from ${relation.organizationName}`);
          },
          (error: unknown) => notifyError(error, 'Could not remove the company'),
        ),
    });

  return (
    <form onSubmit={save} noValidate>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label="Name" required readOnly={!canManage} {...form.getInputProps('name')} />
          <TextInput
            label="Email Address"
            type="email"
            required
            readOnly={!canManage}
            {...form.getInputProps('email')}
          />
          <TextInput
            label="Phone"
            type="tel"
            readOnly={!canManage}
            {...form.getInputProps('phone')}
          />
        </SimpleGrid>

        <Stack gap="sm">
          {form.getValues().relations.map((relation, index) => {
            const headingId = `contact-${contact.id}-relation-${relation.organizationId}`;
            return (
              <Group
                key={relation.organizationId}
                role="group"
                aria-labelledby={headingId}
                align="flex-end"
                gap="md"
                wrap="wrap"
              >
                <Text id={headingId} fw={500} w={{ base: '100%', sm: 320 }} pb={6}>
                  Related Company {index + 1}: {relation.organizationName}
                </Text>
                <Select
                  label="Profile"
                  // The first is "Profile"; later ones need names of their own to be told apart.
                  aria-label={index === 0 ? undefined : `Profile for ${relation.organizationName}`}
                  data={profileOptions.options}
                  allowDeselect={false}
                  readOnly={!canManage}
                  w={260}
                  {...form.getInputProps(`relations.${index}.accessProfileId`)}
                />
                <Button
                  variant="subtle"
                  color="red"
                  leftSection={<IconTrash size={16} />}
                  onClick={() => confirmRemove(relation)}
                  disabled={!canManage}
                >
                  Remove
                </Button>
              </Group>
            );
          })}
          {form.getValues().relations.length === 0 && (
            <Text c="dimmed" size="sm">
              Not related to any company.
            </Text>
          )}
        </Stack>

        <Group justify="space-between" wrap="wrap">
          <Group gap="md">
            <ContactEmailMenu
              contact={contact}
              organizationId={organizationId}
              canSend={canManage}
            />
            <ContactPortalMenu
              contact={contact}
              organizationId={organizationId}
              canManage={canManage}
            />
            <Text size="xs" c="dimmed">
              Last login: {formatDateTime(contact.lastLoginAt)}
            </Text>
          </Group>
          <Group gap="xs">
            <UndoSaveButtons
              canEdit={canManage}
              dirty={dirty}
              saving={saveCard.isPending}
              onUndo={form.reset}
            />
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
