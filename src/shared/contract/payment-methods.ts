import { z } from 'zod';
import { calendarDate, instant } from './common.js';
import { optionalText, requiredText } from './fields.js';

/**
 * Saved payment methods (portal: Configuration > Payment Methods; staff: the organization
 * page), the provider fee ledger and the payment settings. Allow-lists: a processor reference
 * (`gatewayRef`, `customerRef`) is named by no schema here, so it never leaves the server; the
 * portal's method carries no fee, failure count or authorization record either.
 */

export const methodTypes = ['card', 'ach'] as const;
export type MethodType = (typeof methodTypes)[number];

/** A method as a client sees it: what it is, whether it can be charged and why not. */
export const portalPaymentMethod = z.object({
  id: z.guid(),
  type: z.enum(methodTypes),
  friendlyName: z.string(),
  /** "Visa •••• 4242", "Bank account •••• 6789". */
  label: z.string(),
  /** Card brand code ('visa', 'amex', …); null for a bank account. */
  brand: z.string().nullable(),
  last4: z.string(),
  expMonth: z.number().int().nullable(),
  expYear: z.number().int().nullable(),
  bankName: z.string().nullable(),
  billingName: z.string(),
  billingAddressLine1: z.string(),
  billingAddressLine2: z.string(),
  billingCity: z.string(),
  billingRegion: z.string(),
  billingPostalCode: z.string(),
  billingCountry: z.string(),
  isDefault: z.boolean(),
  /** A card whose expiry month is before this business month: it cannot be charged. */
  expired: z.boolean(),
  locked: z.boolean(),
  /** Why it is locked, in words ("Locked after 15 failed charges in a row"). */
  lockedReason: z.string().nullable(),
  /** Why it cannot be charged now (locked, expired, its type turned off), or null. */
  unavailableReason: z.string().nullable(),
  createdAt: instant,
});

/**
 * The authorization a contact agrees to ("I Agree") before a method is saved, per type: the
 * form shows it and sends it back, and it is kept word for word with when, from where and who.
 */
export const authorizationTexts = z.object({ card: z.string(), ach: z.string() });

/** GET /api/portal/payment-methods: the methods and what the Add forms need. */
export const portalPaymentMethodList = z.object({
  paymentMethods: z.array(portalPaymentMethod),
  /** Method types the MSP accepts (Configuration > Billing); a form for another is refused. */
  cardPaymentsEnabled: z.boolean(),
  achPaymentsEnabled: z.boolean(),
  authorizationTexts,
});

/** GET /api/portal/payment-methods/choices: the methods Pay Selected may offer. */
export const paymentMethodChoices = z.object({ paymentMethods: z.array(portalPaymentMethod) });

export const portalPaymentMethodAnswer = z.object({ paymentMethod: portalPaymentMethod });

/** The billing name and address a method is saved with (the processor's billing details). */
export const billingDetailsFields = {
  billingName: requiredText(200),
  billingAddressLine1: optionalText(200),
  billingAddressLine2: optionalText(200),
  billingCity: optionalText(100),
  billingRegion: optionalText(100),
  billingPostalCode: optionalText(20),
  billingCountry: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US'),
};

/**
 * Add a method from the token the processor's own endpoint answered the browser (the card or
 * bank numbers never come here). `type` is what the form tokenized; `authorizationText` the
 * words shown, `agreed` the "I Agree" box.
 */
export const addPaymentMethodBody = z.object({
  type: z.enum(methodTypes, 'must be card or ach'),
  token: requiredText(200),
  friendlyName: requiredText(100),
  ...billingDetailsFields,
  // The address is optional at the processor: left out, it is saved empty (country US).
  billingAddressLine1: billingDetailsFields.billingAddressLine1.default(''),
  billingAddressLine2: billingDetailsFields.billingAddressLine2.default(''),
  billingCity: billingDetailsFields.billingCity.default(''),
  billingRegion: billingDetailsFields.billingRegion.default(''),
  billingPostalCode: billingDetailsFields.billingPostalCode.default(''),
  billingCountry: billingDetailsFields.billingCountry.default('US'),
  authorizationText: requiredText(4000),
  agreed: z.boolean('must be ticked'),
  makeDefault: z.boolean().optional(),
});

/** Staff add a method for a client only with the client's authorization: which contact gave it. */
export const staffAddPaymentMethodBody = addPaymentMethodBody.extend({
  authorizedByContactId: z.guid('must be a contact of this organization'),
});

/** Edit a method: names and billing details; a card's expiry. Saving unlocks a locked method. */
export const editPaymentMethodBody = z.object({
  friendlyName: requiredText(100).optional(),
  billingName: billingDetailsFields.billingName.optional(),
  billingAddressLine1: billingDetailsFields.billingAddressLine1.optional(),
  billingAddressLine2: billingDetailsFields.billingAddressLine2.optional(),
  billingCity: billingDetailsFields.billingCity.optional(),
  billingRegion: billingDetailsFields.billingRegion.optional(),
  billingPostalCode: billingDetailsFields.billingPostalCode.optional(),
  billingCountry: billingDetailsFields.billingCountry.optional(),
  expMonth: z.number().int().min(1, 'must be 1 to 12').max(12, 'must be 1 to 12').optional(),
  expYear: z
    .number()
    .int()
    .min(2000, 'must be a four-digit year')
    .max(2100, 'must be a four-digit year')
    .optional(),
});

/** What removing a method did, in words the confirmation and the answer share. */
export const removedPaymentMethodAnswer = z.object({
  removed: z.object({ id: z.guid(), friendlyName: z.string(), label: z.string() }),
  wasDefault: z.boolean(),
  /** The method that became the default instead (the newest remaining one), or null. */
  newDefault: z.object({ id: z.guid(), friendlyName: z.string(), label: z.string() }).nullable(),
  /** Payments still settling on it (ACH): they finish; nothing new is charged to it. */
  paymentsInFlight: z.array(z.object({ number: z.string(), status: z.string() })),
  /** Scheduled payments that were to run on it: cancelled (Payment Cancelled emailed). */
  scheduledPaymentsCancelled: z.array(
    z.object({
      id: z.guid(),
      runOn: calendarDate,
      totalCents: z.number().int(),
      currency: z.string(),
    }),
  ),
  /**
   * AutoPay rules that named it, by their place in the list: they charge the default method
   * now (AutoPay Changed emailed; locked rules too).
   */
  autopayRulesChanged: z.array(
    z.object({ id: z.guid(), position: z.number().int(), locked: z.boolean() }),
  ),
  /** One sentence for people: what happened and what happens to anything that used it. */
  message: z.string(),
});

/**
 * GET …/payment-methods/{methodId}/removal: what removing the method would do, for the
 * confirmation (the removal's own fields, in the future tense).
 */
export const paymentMethodRemovalAnswer = removedPaymentMethodAnswer.pick({
  scheduledPaymentsCancelled: true,
  autopayRulesChanged: true,
  message: true,
});

/** The authorization record staff may read: the words, when, from where and who agreed. */
export const authorizationRecord = z.object({
  text: z.string(),
  at: instant,
  ip: z.string(),
  contactName: z.string().nullable(),
  staffName: z.string().nullable(),
});

/** A method as staff see it: the client's view plus its failures, lock and authorization. */
export const staffPaymentMethod = portalPaymentMethod.extend({
  gateway: z.string(),
  failedChargeCount: z.number().int(),
  lockedAt: instant.nullable(),
  authorization: authorizationRecord,
  /** When the method was removed and by whom (the audit log's name); null while on file. */
  removed: z.object({ at: instant, by: z.string().nullable() }).nullable(),
});

/** GET /api/organizations/{id}/payment-methods: `removed=include` lists removed ones too. */
export const staffPaymentMethodQuery = z.object({
  removed: z.enum(['include', 'exclude'], 'must be include or exclude').optional(),
});

export const staffPaymentMethodList = z.object({
  paymentMethods: z.array(staffPaymentMethod),
  cardPaymentsEnabled: z.boolean(),
  achPaymentsEnabled: z.boolean(),
  authorizationTexts,
});

export const staffPaymentMethodAnswer = z.object({ paymentMethod: staffPaymentMethod });

/** Staff unlock a method; the reason is kept in the audit log. */
// Every field is optional, so a POST with no body at all unlocks too (with no reason).
export const unlockPaymentMethodBody = z.object({ reason: optionalText(500).optional() }).nullish();

/** One organization's provider fees, newest first, and their sum (staff only). */
export const organizationProviderFees = z.object({
  fees: z.array(
    z.object({
      id: z.guid(),
      createdAt: instant,
      /** The business date the method was added (MSP time zone). */
      date: calendarDate,
      amountCents: z.number().int(),
      currency: z.string(),
      paymentMethodId: z.guid(),
      methodLabel: z.string(),
      friendlyName: z.string(),
    }),
  ),
  totalCents: z.number().int(),
});

/** The installation's provider fees by month (MSP time zone), newest first (staff only). */
export const monthlyProviderFees = z.object({
  months: z.array(
    z.object({
      /** YYYY-MM */
      month: z.string(),
      count: z.number().int(),
      amountCents: z.number().int(),
    }),
  ),
  totalCents: z.number().int(),
});

/** Configuration > Billing > Payments. */
export const paymentSettingsFields = {
  cardPaymentsEnabled: z.boolean(),
  achPaymentsEnabled: z.boolean(),
  providerFeeCents: z
    .number()
    .int('must be whole cents')
    .min(0, 'must not be negative')
    .max(100_000, 'must be at most 100000 cents'),
  methodLockAfterFailures: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000'),
};
export const paymentSettingsBody = z.object(paymentSettingsFields);
export const paymentSettingsAnswer = z.object({ payments: paymentSettingsBody });
