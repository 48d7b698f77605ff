import {
  Group,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifySuccess, showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { UndoSaveButtons } from '../../components/undo-save-buttons';
import { minorToInput, parseAmount } from '../../lib/money';
import {
  usePaymentSettings,
  useSavePaymentSettings,
  type PaymentSettings,
} from '../payments/payment-methods-api';

/**
 * Configuration > Billing > Payments: whether clients may add and pay with cards and bank
 * accounts, the processor's fee for each new payment method, and after how many failed charges
 * in a row a method is locked.
 */
export function PaymentSettingsSection({ canEdit }: { canEdit: boolean }) {
  const settings = usePaymentSettings();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="payment-settings-heading">
      <Title order={2} size="h4" id="payment-settings-heading" mb="xs">
        Payments
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        How clients pay in the portal. Turning a type off stops new methods of that type and every
        charge on the ones saved; they stay on file.
      </Text>
      {settings.isPending ? (
        <PageLoader label="Loading payment settings…" />
      ) : settings.isError ? (
        <PageError
          error={settings.error}
          title="Could not load the payment settings"
          onRetry={() => void settings.refetch()}
        />
      ) : (
        <PaymentSettingsForm saved={settings.data} canEdit={canEdit} />
      )}
    </Paper>
  );
}

interface Values {
  cardPaymentsEnabled: boolean;
  achPaymentsEnabled: boolean;
  /** The fee as typed, in dollars ("0.50"). */
  providerFee: string;
  methodLockAfterFailures: number | string;
}

const valuesOf = (saved: PaymentSettings): Values => ({
  cardPaymentsEnabled: saved.cardPaymentsEnabled,
  achPaymentsEnabled: saved.achPaymentsEnabled,
  providerFee: minorToInput(saved.providerFeeCents, 'USD'),
  methodLockAfterFailures: saved.methodLockAfterFailures,
});

function PaymentSettingsForm({ saved, canEdit }: { saved: PaymentSettings; canEdit: boolean }) {
  const save = useSavePaymentSettings();
  const form = useForm<Values, PaymentSettings>({
    mode: 'controlled',
    initialValues: valuesOf(saved),
    validate: {
      providerFee: (value) => {
        const parsed = parseAmount(value, 'USD', { max: 100_000 });
        return parsed.ok ? null : `The fee ${parsed.message}`;
      },
      methodLockAfterFailures: (value) =>
        typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 1000
          ? null
          : 'Must be a whole number from 1 to 1000',
    },
    transformValues: (values) => {
      const fee = parseAmount(values.providerFee, 'USD');
      return {
        cardPaymentsEnabled: values.cardPaymentsEnabled,
        achPaymentsEnabled: values.achPaymentsEnabled,
        providerFeeCents: fee.ok ? fee.value : 0,
        methodLockAfterFailures: Number(values.methodLockAfterFailures),
      };
    },
  });

  const submit = form.onSubmit((values) =>
    save.mutate(values, {
      onSuccess: ({ payments }) => {
        const next = valuesOf(payments);
        form.setInitialValues(next);
        form.setValues(next);
        form.resetDirty(next);
        notifySuccess('Payment settings saved');
      },
      onError: (error) => showApiError(error, form, 'Payment settings not saved'),
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Stack gap="xs">
          <Switch
            label="Card payments"
            description="Clients may add credit and debit cards and pay with them"
            disabled={!canEdit}
            {...form.getInputProps('cardPaymentsEnabled', { type: 'checkbox' })}
          />
          <Switch
            label="Bank account (ACH) payments"
            description="Clients may add US bank accounts and pay by ACH debit"
            disabled={!canEdit}
            {...form.getInputProps('achPaymentsEnabled', { type: 'checkbox' })}
          />
        </Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} maw={720}>
          <TextInput
            label="Provider fee per new method (USD)"
            description="What the processor charges you once for each method a client adds"
            leftSection="$"
            inputMode="decimal"
            readOnly={!canEdit}
            {...form.getInputProps('providerFee')}
          />
          <NumberInput
            label="Lock a method after failed charges"
            description="Failed charges in a row; a lost or stolen card locks at once"
            min={1}
            max={1000}
            allowDecimal={false}
            allowNegative={false}
            readOnly={!canEdit}
            {...form.getInputProps('methodLockAfterFailures')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <UndoSaveButtons
            canEdit={canEdit}
            dirty={form.isDirty()}
            saving={save.isPending}
            onUndo={form.reset}
            saveLabel="Save Payments"
          />
        </Group>
      </Stack>
    </form>
  );
}
