import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  Paper,
  PasswordInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import type { z } from 'zod';
import type { addPaymentMethodBody } from '../../../src/shared/contract/payment-methods';
import { notifySuccess, showApiError } from '../api/errors';
import { tokenizeBankAccount, tokenizeCard } from '../lib/payment-processor/sandbox';
import type { StripeSetup } from '../lib/payment-processor/stripe';
import type { StripeMethodFieldsHandle } from '../lib/payment-processor/stripe-method-fields';

type AddPaymentMethodBody = z.input<typeof addPaymentMethodBody>;

export type MethodType = 'card' | 'ach';
export type Processor = 'sandbox' | 'stripe';

// Stripe's Payment Element, loaded only when Stripe is the processor: with the sandbox no page
// fetches Stripe.js.
const StripeMethodFields = lazy(() =>
  import('../lib/payment-processor/stripe-method-fields').then((module) => ({
    default: module.StripeMethodFields,
  })),
);

const emptyAddress = {
  billingAddressLine1: '',
  billingAddressLine2: '',
  billingCity: '',
  billingRegion: '',
  billingPostalCode: '',
  billingCountry: 'US',
};

interface AddValues {
  friendlyName: string;
  billingName: string;
  billingAddressLine1: string;
  billingAddressLine2: string;
  billingCity: string;
  billingRegion: string;
  billingPostalCode: string;
  billingCountry: string;
  // Sent to the payment processor only, never to Portico.
  number: string;
  expMonth: string;
  expYear: string;
  cvc: string;
  routingNumber: string;
  accountNumber: string;
  accountType: 'checking' | 'savings';
  agreed: boolean;
  makeDefault: boolean;
  /** Staff only: the organization's contact who gave the authorization. */
  authorizedByContactId: string;
}

/** A form check: `label` is required (trimmed). */
export const requiredField = (label: string) => (value: string) =>
  value.trim() === '' ? `${label} is required` : null;

/** What the form sends to Portico's add route: the processor's token, never the numbers. */
export type AddMethodBody = AddPaymentMethodBody & { authorizedByContactId?: string };

/**
 * The Add Credit Card / Add Bank Account form, for the portal and for staff entering a method
 * for a client. The card or bank numbers go to the processor (the sandbox's endpoint, or
 * Stripe's Payment Element), which answers a token; `save` sends Portico the token with the
 * friendly name, the billing details and the authorization (the words shown, "I Agree").
 * `contacts`, for staff: the organization's contacts, one of whom must have authorized it.
 */
export function AddPaymentMethodForm({
  type: chosenType,
  processor,
  authorizationTexts,
  offerDefault,
  startStripeSetup: requestStripeSetup,
  save,
  onDone,
  contacts,
  authorizationNote,
}: {
  type: MethodType;
  processor: Processor;
  authorizationTexts: Record<MethodType, string>;
  offerDefault: boolean;
  startStripeSetup: () => Promise<StripeSetup>;
  save: (
    body: AddMethodBody,
  ) => Promise<{ paymentMethod: { friendlyName: string; label: string } }>;
  onDone: () => void;
  contacts?: { id: string; name: string; email: string }[];
  /** Said above the authorization (staff: read it to the client). */
  authorizationNote?: string;
}) {
  const [adding, setAdding] = useState(false);
  const stripe = processor === 'stripe';
  // With Stripe the Payment Element's tab decides: a card, or a US bank account.
  const [type, setType] = useState<MethodType>(chosenType);
  const stripeFields = useRef<StripeMethodFieldsHandle>(null);
  const stripeSetup = useMutation({ mutationFn: requestStripeSetup });
  const startStripeSetup = stripeSetup.mutate;
  useEffect(() => {
    if (stripe) startStripeSetup();
  }, [stripe, startStripeSetup]);
  const [tokenizing, setTokenizing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<AddValues>({
    mode: 'controlled',
    initialValues: {
      friendlyName: '',
      billingName: '',
      ...emptyAddress,
      number: '',
      expMonth: '',
      expYear: '',
      cvc: '',
      routingNumber: '',
      accountNumber: '',
      accountType: 'checking',
      agreed: false,
      makeDefault: false,
      authorizedByContactId: '',
    },
    validate: {
      friendlyName: requiredField('A name for this method'),
      billingName: requiredField(type === 'card' ? 'The name on the card' : 'The account holder'),
      billingCountry: (value) =>
        /^[A-Za-z]{2}$/.test(value.trim()) ? null : 'Enter a two-letter country code such as US',
      agreed: (value) => (value ? null : 'Tick “I Agree” to authorize this payment method'),
      authorizedByContactId: (value) =>
        contacts && value === '' ? 'Choose the contact who authorized it' : null,
      ...(stripe
        ? {}
        : type === 'card'
          ? {
              number: requiredField('The card number'),
              expMonth: requiredField('The expiry month'),
              expYear: requiredField('The expiry year'),
              cvc: requiredField('The security code'),
            }
          : {
              routingNumber: requiredField('The routing number'),
              accountNumber: requiredField('The account number'),
            }),
    },
  });

  /** The numbers go to the payment processor; Portico receives only its token. */
  const tokenizeWith = async (values: AddValues) => {
    if (stripe) {
      if (!stripeFields.current) {
        return { ok: false as const, message: 'Stripe has not loaded yet.', fieldErrors: {} };
      }
      const confirmed = await stripeFields.current.confirm({
        name: values.billingName,
        address: {
          line1: values.billingAddressLine1,
          line2: values.billingAddressLine2,
          city: values.billingCity,
          state: values.billingRegion,
          postal_code: values.billingPostalCode,
          country: values.billingCountry.toUpperCase(),
        },
      });
      return confirmed.ok
        ? { ok: true as const, token: confirmed.token, type: confirmed.type }
        : { ok: false as const, message: confirmed.message, fieldErrors: {} };
    }
    const tokenized =
      type === 'card'
        ? await tokenizeCard(
            {
              number: values.number,
              expMonth: values.expMonth,
              expYear: values.expYear,
              cvc: values.cvc,
              name: values.billingName,
            },
            { name: 'billingName' },
          )
        : await tokenizeBankAccount(
            {
              routingNumber: values.routingNumber,
              accountNumber: values.accountNumber,
              accountHolderName: values.billingName,
              accountType: values.accountType,
            },
            { accountHolderName: 'billingName' },
          );
    return tokenized.ok ? { ok: true as const, token: tokenized.token, type } : tokenized;
  };

  const submit = form.onSubmit(async (values) => {
    setProblem(null);
    setTokenizing(true);
    const tokenized = await tokenizeWith(values).finally(() => setTokenizing(false));
    if (!tokenized.ok) {
      form.setErrors(tokenized.fieldErrors);
      setProblem(tokenized.message);
      return;
    }
    setAdding(true);
    await save({
      ...(contacts ? { authorizedByContactId: values.authorizedByContactId } : {}),
      type: tokenized.type,
      token: tokenized.token,
      friendlyName: values.friendlyName,
      billingName: values.billingName,
      billingAddressLine1: values.billingAddressLine1,
      billingAddressLine2: values.billingAddressLine2,
      billingCity: values.billingCity,
      billingRegion: values.billingRegion,
      billingPostalCode: values.billingPostalCode,
      billingCountry: values.billingCountry,
      authorizationText: authorizationTexts[tokenized.type],
      agreed: values.agreed,
      makeDefault: values.makeDefault,
    })
      .then(({ paymentMethod }) => {
        notifySuccess(`${paymentMethod.friendlyName} (${paymentMethod.label}) saved`);
        onDone();
      })
      .catch((error: unknown) =>
        showApiError(error, form, type === 'card' ? 'Card not saved' : 'Bank account not saved'),
      )
      .finally(() => setAdding(false));
  });

  const saving = tokenizing || adding;
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label="Name for this method"
          description={`How you will recognise it, e.g. ${type === 'card' ? 'Office Visa' : 'Operating account'}`}
          required
          maxLength={100}
          {...form.getInputProps('friendlyName')}
        />
        {stripe ? (
          <>
            <TextInput
              label={type === 'card' ? 'Name on card' : 'Account holder name'}
              autoComplete="name"
              required
              maxLength={200}
              {...form.getInputProps('billingName')}
            />
            {stripeSetup.isError ? (
              <Alert color="red" variant="light" role="alert">
                {stripeSetup.error.message}
              </Alert>
            ) : stripeSetup.data ? (
              <Suspense fallback={<Loader size="sm" aria-label="Loading Stripe" />}>
                <StripeMethodFields
                  setup={stripeSetup.data}
                  ref={stripeFields}
                  onTypeChange={setType}
                />
              </Suspense>
            ) : (
              <Loader size="sm" aria-label="Starting Stripe" />
            )}
          </>
        ) : type === 'card' ? (
          <>
            <TextInput
              label="Name on card"
              autoComplete="cc-name"
              required
              maxLength={200}
              {...form.getInputProps('billingName')}
            />
            <TextInput
              label="Card number"
              autoComplete="cc-number"
              inputMode="numeric"
              required
              {...form.getInputProps('number')}
            />
            <SimpleGrid cols={3}>
              <TextInput
                label="Expiry month"
                placeholder="MM"
                autoComplete="cc-exp-month"
                inputMode="numeric"
                required
                {...form.getInputProps('expMonth')}
              />
              <TextInput
                label="Expiry year"
                placeholder="YYYY"
                autoComplete="cc-exp-year"
                inputMode="numeric"
                required
                {...form.getInputProps('expYear')}
              />
              <PasswordInput
                label="Security code"
                description="3 digits, 4 for American Express"
                autoComplete="cc-csc"
                inputMode="numeric"
                required
                {...form.getInputProps('cvc')}
              />
            </SimpleGrid>
          </>
        ) : (
          <>
            <TextInput
              label="Account holder name"
              autoComplete="name"
              required
              maxLength={200}
              {...form.getInputProps('billingName')}
            />
            <SimpleGrid cols={2}>
              <TextInput
                label="Routing number"
                inputMode="numeric"
                required
                {...form.getInputProps('routingNumber')}
              />
              <TextInput
                label="Account number"
                inputMode="numeric"
                required
                {...form.getInputProps('accountNumber')}
              />
            </SimpleGrid>
            <div>
              <Text size="sm" fw={500} mb={4} id="account-type-label">
                Account type
              </Text>
              <SegmentedControl
                aria-labelledby="account-type-label"
                data={[
                  { value: 'checking', label: 'Checking' },
                  { value: 'savings', label: 'Savings' },
                ]}
                {...form.getInputProps('accountType')}
              />
            </div>
          </>
        )}
        <BillingAddressFields form={form} />
        {contacts && (
          <Select
            label="Authorized by"
            description="The client's contact who gave this authorization"
            placeholder="Choose a contact"
            required
            searchable
            data={contacts.map((c) => ({ value: c.id, label: `${c.name} (${c.email})` }))}
            {...form.getInputProps('authorizedByContactId')}
          />
        )}
        {authorizationNote && (
          <Text size="sm" c="dimmed">
            {authorizationNote}
          </Text>
        )}
        <Paper withBorder p="sm" bg="gray.0">
          <Text size="sm" id="authorization-text">
            {authorizationTexts[type]}
          </Text>
        </Paper>
        <Checkbox
          label="I Agree"
          aria-describedby="authorization-text"
          {...form.getInputProps('agreed', { type: 'checkbox' })}
        />
        {offerDefault && (
          <Checkbox
            label="Make this my default payment method"
            {...form.getInputProps('makeDefault', { type: 'checkbox' })}
          />
        )}
        <Text size="xs" c="dimmed">
          Saving charges nothing.
        </Text>
        {problem && (
          <Alert color="red" variant="light" role="alert">
            {problem}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={saving} leftSection={<IconPlus size={16} />}>
            {type === 'card' ? 'Save Card' : 'Save Bank Account'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface AddressForm {
  getInputProps: (path: string) => object;
}

export function BillingAddressFields({ form }: { form: AddressForm }) {
  return (
    <Stack gap="sm" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
      <Title order={3} size="h6" component="legend">
        Billing address
      </Title>
      <TextInput
        label="Address line 1"
        autoComplete="address-line1"
        maxLength={200}
        {...form.getInputProps('billingAddressLine1')}
      />
      <TextInput
        label="Address line 2"
        autoComplete="address-line2"
        maxLength={200}
        {...form.getInputProps('billingAddressLine2')}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="City"
          autoComplete="address-level2"
          maxLength={100}
          {...form.getInputProps('billingCity')}
        />
        <TextInput
          label="State or region"
          autoComplete="address-level1"
          maxLength={100}
          {...form.getInputProps('billingRegion')}
        />
        <TextInput
          label="Postal code"
          autoComplete="postal-code"
          maxLength={20}
          {...form.getInputProps('billingPostalCode')}
        />
        <TextInput
          label="Country"
          description="Two-letter code, e.g. US"
          autoComplete="country"
          maxLength={2}
          {...form.getInputProps('billingCountry')}
        />
      </SimpleGrid>
    </Stack>
  );
}
