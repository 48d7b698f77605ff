import {
  Anchor,
  ColorInput,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { Link } from 'react-router';
import { notifySuccess, showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import { UndoSaveButtons } from '../../components/undo-save-buttons';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan } from '../auth/session';
import { useBranding, useDefaultPortalUrl, useSaveBranding, type Branding } from './settings-api';

const httpUrl = /^https?:\/\/\S+$/;
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const hexColour = /^#[0-9a-fA-F]{6}$/;

const swatches = [
  '#1c7ed6',
  '#1098ad',
  '#0ca678',
  '#37b24d',
  '#f59f00',
  '#f76707',
  '#e03131',
  '#ae3ec9',
  '#7048e8',
  '#343a40',
];

export function BrandingPage() {
  usePageTitle('Branding');
  const canEdit = useCan('manage_settings');
  const branding = useBranding();

  return (
    <Stack>
      <div>
        <Text size="sm" c="dimmed">
          Configuration
        </Text>
        <Title order={1}>Branding</Title>
      </div>
      <Text c="dimmed" maw={720}>
        Your name, logo, colour and support details, as every email and the client portal show them.
        Emails already sent keep the branding they went out with.{' '}
        <Anchor component={Link} to="/configuration/email-templates">
          Preview the emails
        </Anchor>
      </Text>
      {!canEdit && <ReadOnlyNote>Read only: your role cannot change the branding</ReadOnlyNote>}
      {branding.isPending ? (
        <PageLoader label="Loading branding…" />
      ) : branding.isError ? (
        <PageError
          error={branding.error}
          title="Could not load the branding"
          onRetry={() => void branding.refetch()}
        />
      ) : (
        <BrandingForm saved={branding.data} canEdit={canEdit} />
      )}
    </Stack>
  );
}

function BrandingForm({ saved, canEdit }: { saved: Branding; canEdit: boolean }) {
  const saveBranding = useSaveBranding();
  const defaultPortalUrl = useDefaultPortalUrl();
  // Initialised once from the saved branding: a refetch must not overwrite what is being typed.
  const form = useForm<Branding>({
    mode: 'controlled',
    initialValues: saved,
    transformValues: (values) => ({
      mspName: values.mspName.trim(),
      logoUrl: values.logoUrl.trim(),
      brandColor: values.brandColor.trim(),
      supportEmail: values.supportEmail.trim(),
      supportPhone: values.supportPhone.trim(),
      portalUrl: values.portalUrl.trim(),
    }),
    validate: {
      mspName: isNotEmpty('MSP name is required'),
      logoUrl: (value) =>
        value.trim() === '' || httpUrl.test(value.trim())
          ? null
          : 'Must be an http:// or https:// address, or empty',
      brandColor: (value) =>
        hexColour.test(value.trim()) ? null : 'Must be a colour like #1c7ed6',
      supportEmail: (value) =>
        value.trim() === '' || email.test(value.trim()) ? null : 'Enter a valid email address',
      portalUrl: (value) =>
        value.trim() === '' || httpUrl.test(value.trim())
          ? null
          : 'Must be an http:// or https:// address, or empty',
    },
  });
  const dirty = form.isDirty();

  const submit = form.onSubmit((values) =>
    saveBranding.mutate(values, {
      onSuccess: ({ branding }) => {
        form.setInitialValues(branding);
        form.setValues(branding);
        form.resetDirty(branding);
        notifySuccess('Branding saved');
      },
      onError: (error) => showApiError(error, form, 'Branding not saved'),
    }),
  );

  return (
    <Paper withBorder p="lg" maw={880}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="MSP name"
              description="Your company name, as clients know it"
              required
              readOnly={!canEdit}
              {...form.getInputProps('mspName')}
            />
            <TextInput
              label="Portal URL"
              description={`Where clients sign in; links in emails point here. Empty: ${defaultPortalUrl ?? 'this server’s address'} (PUBLIC_URL)`}
              placeholder={defaultPortalUrl}
              type="url"
              readOnly={!canEdit}
              {...form.getInputProps('portalUrl')}
            />
            <TextInput
              label="Logo URL"
              description="An http(s) address of your logo image; empty for your name in text"
              type="url"
              readOnly={!canEdit}
              {...form.getInputProps('logoUrl')}
            />
            <ColorInput
              label="Brand colour"
              description="Buttons and headings in emails"
              format="hex"
              swatches={swatches}
              withPicker={canEdit}
              withEyeDropper={false}
              readOnly={!canEdit}
              {...form.getInputProps('brandColor')}
            />
            <TextInput
              label="Support email"
              type="email"
              readOnly={!canEdit}
              {...form.getInputProps('supportEmail')}
            />
            <TextInput
              label="Support phone"
              type="tel"
              readOnly={!canEdit}
              {...form.getInputProps('supportPhone')}
            />
          </SimpleGrid>
          <Group justify="flex-end">
            <UndoSaveButtons
              canEdit={canEdit}
              dirty={dirty}
              saving={saveBranding.isPending}
              onUndo={form.reset}
              saveLabel="Save Branding"
            />
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
