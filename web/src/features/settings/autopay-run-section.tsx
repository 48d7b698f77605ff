import {
  Group,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifySuccess, showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { UndoSaveButtons } from '../../components/undo-save-buttons';
import {
  useAutopayRunSettings,
  useSaveAutopayRunSettings,
  type AutopayRunSettings,
} from './autopay-run-api';

/**
 * Configuration > Billing > AutoPay Run: when the daily AutoPay run charges the invoices due
 * (a time of day in the MSP's time zone), and how a declined card is tried again.
 */
export function AutopayRunSection({ canEdit }: { canEdit: boolean }) {
  const settings = useAutopayRunSettings();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="autopay-run-heading">
      <Title order={2} size="h4" id="autopay-run-heading" mb="xs">
        AutoPay Run
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Once a day, at this time in the time zone above, AutoPay charges every invoice its rules say
        is due. A card declined for a passing reason (insufficient funds, a generic decline) is
        tried again; a card reported lost, stolen or expired, or a closed account, is not: the
        method is locked and the client is emailed.
      </Text>
      {settings.isPending ? (
        <PageLoader label="Loading the AutoPay run settings…" />
      ) : settings.isError ? (
        <PageError
          error={settings.error}
          title="Could not load the AutoPay run settings"
          onRetry={() => void settings.refetch()}
        />
      ) : (
        <AutopayRunForm saved={settings.data} canEdit={canEdit} />
      )}
    </Paper>
  );
}

/** What the inputs hold: numbers are empty while cleared. */
interface Values {
  runTime: string;
  retries: number | string;
  daysBetween: number | string;
}

const wholeIn = (low: number, high: number, words: string) => (value: number | string) =>
  typeof value === 'number' && Number.isInteger(value) && value >= low && value <= high
    ? null
    : `Must be a whole number of ${words} from ${low} to ${high}`;

function AutopayRunForm({ saved, canEdit }: { saved: AutopayRunSettings; canEdit: boolean }) {
  const save = useSaveAutopayRunSettings();
  // Initialised once from the saved settings: a refetch must not overwrite what is being typed.
  const form = useForm<Values, AutopayRunSettings>({
    mode: 'controlled',
    initialValues: saved,
    transformValues: (values) => ({
      runTime: values.runTime.trim(),
      retries: Number(values.retries),
      daysBetween: Number(values.daysBetween),
    }),
    validate: {
      runTime: (value) =>
        /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(value.trim())
          ? null
          : 'Must be a time from 00:00 to 23:59, such as 06:00',
      retries: wholeIn(0, 10, 'tries'),
      daysBetween: wholeIn(1, 30, 'days'),
    },
  });

  const submit = form.onSubmit((values) =>
    save.mutate(values, {
      onSuccess: ({ autopayRun }) => {
        form.setInitialValues(autopayRun);
        form.setValues(autopayRun);
        form.resetDirty(autopayRun);
        notifySuccess('AutoPay run settings saved');
      },
      onError: (error) => showApiError(error, form, 'AutoPay run settings not saved'),
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 3 }} maw={900}>
          <TextInput
            label="Run time"
            description="24-hour clock, HH:MM"
            placeholder="06:00"
            readOnly={!canEdit}
            {...form.getInputProps('runTime')}
          />
          <NumberInput
            label="Tries after a decline"
            description="More tries after a passing decline; 0 = none"
            min={0}
            max={10}
            allowDecimal={false}
            allowNegative={false}
            readOnly={!canEdit}
            {...form.getInputProps('retries')}
          />
          <NumberInput
            label="Days between tries"
            min={1}
            max={30}
            allowDecimal={false}
            allowNegative={false}
            readOnly={!canEdit}
            {...form.getInputProps('daysBetween')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <UndoSaveButtons
            canEdit={canEdit}
            dirty={form.isDirty()}
            saving={save.isPending}
            onUndo={form.reset}
            saveLabel="Save AutoPay Run"
          />
        </Group>
      </Stack>
    </form>
  );
}
