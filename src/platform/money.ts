/**
 * Money is integer minor units with a currency code; this only formats it, in the currency's
 * own ISO 4217 digits (¥150, $1.50, KWD 1.500). The rule lives in src/shared/money.ts, which
 * the web console and portal use too, so a document, an email and a screen always agree.
 */
export { currencyDigits, formatMoney } from '../shared/money.js';
