import { List, Text } from '@mantine/core';
import type { Answer } from '../../../src/shared/contract/common';
import type { paymentMethodRemovalAnswer } from '../../../src/shared/contract/payment-methods';
import { formatDay } from '../lib/format';
import { formatMoney } from '../lib/money';

export type PaymentMethodRemoval = Answer<typeof paymentMethodRemovalAnswer>;

/**
 * What removing a payment method will do beside it, for the confirmation (portal and staff):
 * the scheduled payments on it that will be cancelled, and the AutoPay rules that will charge
 * the default method instead (GET …/payment-methods/{id}/removal; docs/decisions/0047).
 */
export function MethodRemovalEffects({ removal }: { removal: PaymentMethodRemoval | null }) {
  if (!removal) return null;
  const { scheduledPaymentsCancelled: cancelled, autopayRulesChanged: rules } = removal;
  return (
    <>
      {cancelled.length > 0 && (
        <>
          <Text size="sm">
            {cancelled.length === 1
              ? 'This scheduled payment with it will be cancelled (the invoices stay open):'
              : 'These scheduled payments with it will be cancelled (the invoices stay open):'}
          </Text>
          <List size="sm" aria-label="Scheduled payments to be cancelled">
            {cancelled.map((payment) => (
              <List.Item key={payment.id}>
                {formatMoney(payment.totalCents, payment.currency)} on {formatDay(payment.runOn)}
              </List.Item>
            ))}
          </List>
        </>
      )}
      {rules.length > 0 && (
        <Text size="sm">
          AutoPay {rules.length === 1 ? 'rule' : 'rules'}{' '}
          {rules.map((rule) => `${rule.position}${rule.locked ? ' (locked)' : ''}`).join(', ')} will
          charge the default payment method instead.
        </Text>
      )}
    </>
  );
}
