import { useEffect, useImperativeHandle, useMemo, useState, type Ref } from 'react';
import { Alert, Loader, Stack, Text } from '@mantine/core';
import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import {
  confirmStripeSetup,
  methodTypeOf,
  stripeFor,
  type StripeBillingDetails,
  type StripeConfirmAnswer,
  type StripeSetup,
} from './stripe';

/** What the form around the fields calls when the contact presses Save. */
export interface StripeMethodFieldsHandle {
  /** Confirms the SetupIntent with Stripe; the answer's token goes to Portico's add route. */
  confirm: (billingDetails: StripeBillingDetails) => Promise<StripeConfirmAnswer>;
}

/**
 * Stripe's Payment Element for adding a card or a US bank account, inside the Add Payment
 * Method form (which keeps the friendly name, billing address and authorization). The card or
 * bank numbers are typed into Stripe's iframe and never reach this page's code.
 * `onTypeChange` tells the form which authorization to show (card or ACH).
 */
export function StripeMethodFields(props: {
  setup: StripeSetup;
  ref?: Ref<StripeMethodFieldsHandle>;
  onTypeChange?: (type: 'card' | 'ach') => void;
}) {
  const stripe = useMemo(() => stripeFor(props.setup.publishableKey), [props.setup.publishableKey]);
  const [unreachable, setUnreachable] = useState(false);
  useEffect(() => {
    let current = true;
    void stripe.then((loaded) => {
      if (current && !loaded) setUnreachable(true);
    });
    return () => {
      current = false;
    };
  }, [stripe]);
  if (unreachable) {
    return (
      <Alert color="red" title="Stripe's payment form could not be loaded">
        This browser cannot reach js.stripe.com, so no card or bank account can be added now. Try
        again later, or from another network.
      </Alert>
    );
  }
  return (
    <Elements
      stripe={stripe}
      options={{ clientSecret: props.setup.clientSecret, appearance: { theme: 'stripe' } }}
    >
      <PaymentFields {...props} />
    </Elements>
  );
}

function PaymentFields(props: {
  ref?: Ref<StripeMethodFieldsHandle>;
  onTypeChange?: (type: 'card' | 'ach') => void;
}) {
  const stripe = useStripe();
  const elements = useElements();
  useImperativeHandle(
    props.ref,
    () => ({
      confirm: async (billingDetails) => {
        if (!stripe || !elements) {
          return { ok: false, message: 'Stripe has not loaded yet. Wait a moment and try again.' };
        }
        return confirmStripeSetup({ stripe, elements, billingDetails });
      },
    }),
    [stripe, elements],
  );
  if (!stripe) {
    return (
      <Stack gap="xs" align="flex-start">
        <Loader size="sm" aria-label="Loading Stripe" />
        <Text size="sm" c="dimmed">
          Loading the secure payment form from Stripe…
        </Text>
      </Stack>
    );
  }
  return (
    <Stack gap="xs">
      <PaymentElement
        options={{
          // The form around it collects the billing name and address.
          fields: { billingDetails: { name: 'never', address: 'never' } },
          layout: 'tabs',
        }}
        onChange={(event) => {
          const type = methodTypeOf(event.value.type);
          if (type) props.onTypeChange?.(type);
        }}
      />
      <Alert variant="light" color="gray">
        Card and bank details go straight to Stripe; Portico keeps only the brand, the last four
        digits and the expiry.
      </Alert>
    </Stack>
  );
}
