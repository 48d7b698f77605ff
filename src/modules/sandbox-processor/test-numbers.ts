/**
 * The sandbox's rules for card and bank data: which numbers are well formed (Luhn, length per
 * brand, expiry, CVC length, the ABA routing checksum) and what each test number does when
 * charged. The table is ../shared/reference/test-cards.md, the public test numbers Stripe
 * documents, so a person who has used a gateway's test mode knows them. Pure functions: they
 * see the numbers, and answer only what the processor may keep (brand, last four, outcome).
 */

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover';

/** The outcome a successful test number stands for. */
export const succeeds = 'succeeds';

/**
 * Card numbers with an outcome other than success, by their digits. Every other well-formed
 * number succeeds. `card_declined` is the card that saves but is declined at every charge.
 */
const cardOutcomes: Record<string, string> = {
  '4000000000000002': 'generic_decline',
  '4000000000009995': 'insufficient_funds',
  '4000000000009987': 'lost_card',
  '4000000000009979': 'stolen_card',
  '4000000000000069': 'expired_card',
  '4000000000000127': 'incorrect_cvc',
  '4000000000000119': 'processing_error',
  '4000000000000341': 'card_declined',
};

/** Bank account numbers whose ACH debits are returned at settlement, with the reason. */
const accountOutcomes: Record<string, string> = {
  '000111111116': 'no_account',
  '000111111113': 'account_closed',
  '000222222227': 'insufficient_funds',
};

/** What a client reads when a charge fails, by the processor's code. */
export const failureMessages: Record<string, string> = {
  generic_decline: 'Your card was declined.',
  card_declined: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  lost_card: 'Your card was declined because it has been reported lost.',
  stolen_card: 'Your card was declined because it has been reported stolen.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: "Your card's security code is incorrect.",
  processing_error: 'An error occurred while processing your card. Try again in a little while.',
  no_account: 'The bank could not find this bank account.',
  account_closed: 'This bank account has been closed.',
  ach_insufficient_funds: 'This bank account has insufficient funds.',
};

/** The plain-words message for a failure code of a card or of a bank account. */
export function failureMessage(type: 'card' | 'ach', code: string): string {
  const key = type === 'ach' && code === 'insufficient_funds' ? 'ach_insufficient_funds' : code;
  return failureMessages[key] ?? 'The payment was declined.';
}

const brands: { brand: CardBrand; label: string; prefix: RegExp; length: number }[] = [
  { brand: 'amex', label: 'American Express', prefix: /^3[47]/, length: 15 },
  { brand: 'visa', label: 'Visa', prefix: /^4/, length: 16 },
  {
    brand: 'mastercard',
    label: 'Mastercard',
    prefix: /^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/,
    length: 16,
  },
  { brand: 'discover', label: 'Discover', prefix: /^(6011|64[4-9]|65)/, length: 16 },
];

/** The Luhn checksum every payment card number passes. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The ABA checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) is a multiple of 10. */
export function passesAbaChecksum(routing: string): boolean {
  if (!/^\d{9}$/.test(routing)) return false;
  const d = [...routing].map(Number);
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Card data as typed: the number may hold spaces or dashes; month and year as typed. */
export interface CardInput {
  number: string;
  expMonth: number | string;
  expYear: number | string;
  cvc: string;
  name?: string | undefined;
}

export interface CheckedCard {
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  holderName: string;
  outcome: string;
}

/** A whole number written in digits only (a typed "07" is 7), else null. */
function wholeNumber(value: number | string): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  const text = value.trim();
  return /^\d{1,4}$/.test(text) ? Number(text) : null;
}

/**
 * Checks card data as a processor's tokenization does, answering every bad field with a reason
 * a person can act on (never echoing the number), or the card as the processor keeps it.
 * `today` decides whether the expiry is past (a card is good through the end of its month).
 */
export function checkCard(
  input: CardInput,
  today: Date,
): { ok: true; card: CheckedCard } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const digits = input.number.replace(/[\s-]/g, '');
  let brand: (typeof brands)[number] | undefined;
  if (digits === '') {
    problems.push({ field: 'number', message: 'Enter the card number.' });
  } else if (!/^\d+$/.test(digits)) {
    problems.push({ field: 'number', message: 'A card number has digits only.' });
  } else {
    brand = brands.find((b) => b.prefix.test(digits));
    if (!brand) {
      problems.push({
        field: 'number',
        message:
          'This card is not accepted: use a Visa, Mastercard, American Express or Discover card.',
      });
    } else if (digits.length !== brand.length) {
      problems.push({
        field: 'number',
        message: `A ${brand.label} card number has ${brand.length} digits; this one has ${digits.length}.`,
      });
    } else if (!passesLuhn(digits)) {
      problems.push({
        field: 'number',
        message: 'The card number is incorrect: check it and type it again.',
      });
    }
  }

  const month = wholeNumber(input.expMonth);
  const typedYear = wholeNumber(input.expYear);
  const year = typedYear !== null && typedYear < 100 ? 2000 + typedYear : typedYear;
  const thisYear = today.getUTCFullYear();
  const thisMonth = today.getUTCMonth() + 1;
  if (month === null || month < 1 || month > 12) {
    problems.push({ field: 'expMonth', message: 'The expiration month must be from 1 to 12.' });
  }
  if (year === null || (year < 1000 && year >= 100)) {
    problems.push({ field: 'expYear', message: 'Enter the expiration year, such as 2030.' });
  } else if (year < thisYear) {
    problems.push({ field: 'expYear', message: "The card's expiration year is in the past." });
  } else if (year > thisYear + 50) {
    problems.push({ field: 'expYear', message: 'The expiration year is too far in the future.' });
  } else if (year === thisYear && month !== null && month >= 1 && month < thisMonth) {
    problems.push({ field: 'expMonth', message: 'The card has expired: this month is past.' });
  }

  const cvc = input.cvc.trim();
  const cvcLength = brand?.brand === 'amex' ? 4 : 3;
  if (!/^\d+$/.test(cvc)) {
    problems.push({ field: 'cvc', message: 'Enter the security code (CVC) printed on the card.' });
  } else if (brand ? cvc.length !== cvcLength : cvc.length < 3 || cvc.length > 4) {
    problems.push({
      field: 'cvc',
      message:
        brand?.brand === 'amex'
          ? 'The security code (CVC) of an American Express card has 4 digits.'
          : 'The security code (CVC) has 3 digits.',
    });
  }

  const holderName = (input.name ?? '').trim();
  if (holderName.length > 200) {
    problems.push({ field: 'name', message: 'The name on the card is at most 200 characters.' });
  }

  if (problems.length > 0 || !brand || month === null || year === null) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    card: {
      brand: brand.brand,
      last4: digits.slice(-4),
      expMonth: month,
      expYear: year,
      holderName,
      outcome: cardOutcomes[digits] ?? succeeds,
    },
  };
}

export const accountTypes = ['checking', 'savings'] as const;
export type AccountType = (typeof accountTypes)[number];

/** Bank data as typed. */
export interface BankAccountInput {
  routingNumber: string;
  accountNumber: string;
  accountHolderName: string;
  accountType: string;
}

export interface CheckedBankAccount {
  last4: string;
  bankName: string | null;
  accountType: AccountType;
  holderName: string;
  outcome: string;
}

/** The banks the sandbox knows by routing number (Stripe's test routing number). */
const bankNames: Record<string, string> = { '110000000': 'STRIPE TEST BANK' };

/**
 * Checks US bank account data (ACH): a 9-digit routing number passing the ABA checksum, an
 * account number of 4 to 17 digits, the holder's name and the account type.
 */
export function checkBankAccount(
  input: BankAccountInput,
): { ok: true; account: CheckedBankAccount } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const routing = input.routingNumber.replace(/[\s-]/g, '');
  if (!/^\d{9}$/.test(routing)) {
    problems.push({ field: 'routingNumber', message: 'A routing number has 9 digits.' });
  } else if (!passesAbaChecksum(routing)) {
    problems.push({
      field: 'routingNumber',
      message: 'This is not a valid routing number: check it against a check or your bank.',
    });
  }
  const account = input.accountNumber.replace(/[\s-]/g, '');
  if (!/^\d{4,17}$/.test(account)) {
    problems.push({ field: 'accountNumber', message: 'An account number has 4 to 17 digits.' });
  }
  const holderName = input.accountHolderName.trim();
  if (holderName === '') {
    problems.push({ field: 'accountHolderName', message: 'Enter the account holder’s name.' });
  } else if (holderName.length > 200) {
    problems.push({
      field: 'accountHolderName',
      message: 'The account holder’s name is at most 200 characters.',
    });
  }
  const accountType = accountTypes.find((t) => t === input.accountType);
  if (!accountType) {
    problems.push({ field: 'accountType', message: 'Choose checking or savings.' });
  }
  if (problems.length > 0 || !accountType) return { ok: false, problems };
  return {
    ok: true,
    account: {
      last4: account.slice(-4),
      bankName: bankNames[routing] ?? null,
      accountType,
      holderName,
      outcome: accountOutcomes[account] ?? succeeds,
    },
  };
}
