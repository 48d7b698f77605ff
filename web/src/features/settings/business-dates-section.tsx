import { useState } from 'react';
import { Group, Paper, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { notifySuccess, showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { UndoSaveButtons } from '../../components/undo-save-buttons';
import { dateFormats, formatDate, type DateFormat } from '../../../../src/shared/dates';
import {
  useBusinessDates,
  useSaveBusinessDates,
  type BusinessDates,
  type BusinessDatesChanges,
} from './billing-api';

/** Configuration > Billing > Dates: the time zone that decides "today" and the date format. */
export function BusinessDatesSection({ canEdit }: { canEdit: boolean }) {
  const businessDates = useBusinessDates();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="business-dates-heading">
      <Title order={2} size="h4" id="business-dates-heading" mb="xs">
        Dates
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        The time zone decides what &quot;today&quot; is for due dates, overdue days, aging and
        notices. The date format is how every date is written: in the console, the client portal,
        emails, invoices and statements.
      </Text>
      {businessDates.isPending ? (
        <PageLoader label="Loading dates…" />
      ) : businessDates.isError ? (
        <PageError
          error={businessDates.error}
          title="Could not load the date settings"
          onRetry={() => void businessDates.refetch()}
        />
      ) : (
        <BusinessDatesForm saved={businessDates.data} canEdit={canEdit} />
      )}
    </Paper>
  );
}

/** Every IANA zone the browser knows, and the saved one even if this browser does not. */
function timeZoneOptions(saved: string): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes(saved) ? zones : [saved, ...zones];
}

function BusinessDatesForm({ saved, canEdit }: { saved: BusinessDates; canEdit: boolean }) {
  const save = useSaveBusinessDates();
  const [zones] = useState(() => timeZoneOptions(saved.timeZone));
  // Initialised once from the saved settings: a refetch must not overwrite a choice being made.
  const form = useForm<BusinessDatesChanges>({
    mode: 'controlled',
    initialValues: { timeZone: saved.timeZone, dateFormat: saved.dateFormat },
    validate: {
      timeZone: isNotEmpty('Choose a time zone'),
      dateFormat: isNotEmpty('Choose a date format'),
    },
  });
  const dirty = form.isDirty();

  const submit = form.onSubmit((values) =>
    save.mutate(values, {
      onSuccess: ({ businessDates }) => {
        const next = { timeZone: businessDates.timeZone, dateFormat: businessDates.dateFormat };
        form.setInitialValues(next);
        form.setValues(next);
        form.resetDirty(next);
        notifySuccess('Date settings saved');
      },
      onError: (error) => showApiError(error, form, 'Date settings not saved'),
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} maw={720}>
          <Select
            label="Time zone"
            description={`Today there is ${formatDate(saved.today, form.getValues().dateFormat)}`}
            data={zones}
            searchable
            allowDeselect={false}
            readOnly={!canEdit}
            {...form.getInputProps('timeZone')}
          />
          <Select
            label="Date format"
            description="Used on every screen, email and document"
            data={dateFormats.map((format: DateFormat) => ({
              value: format,
              label: `${format} (${formatDate(saved.today, format)})`,
            }))}
            allowDeselect={false}
            readOnly={!canEdit}
            {...form.getInputProps('dateFormat')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <UndoSaveButtons
            canEdit={canEdit}
            dirty={dirty}
            saving={save.isPending}
            onUndo={form.reset}
            saveLabel="Save Dates"
          />
        </Group>
      </Stack>
    </form>
  );
}
