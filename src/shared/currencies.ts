/**
 * The currencies Portico bills in, with their minor units as ISO 4217 publishes them (list
 * one, "Current currency & funds code list", column "Minor unit"): the one source of how many
 * digits an amount has, for the server and the browser alike. Pure data: no imports, no Intl.
 *
 * Why a table and not Intl: each JavaScript runtime answers from its own copy of CLDR, which
 * gives some currencies the digits of their cash rather than ISO's, and differently by
 * version: Node said 0 for HUF, COP, IDR and PKR where Chromium said 2, and both said 0 for
 * IQD (ISO: 3) and LBP (ISO: 2). An amount read with one count and shown with another is off
 * by a factor of 100 or 1,000 (docs/decisions/0022).
 */

/** One currency: its ISO 4217 code, its minor-unit digits (0 to 4), its English name. */
export interface Currency {
  code: string;
  digits: number;
  name: string;
  /**
   * Amounts show the code ("XCG 1,234.56") rather than Intl's symbol: set for a currency too
   * new for every runtime to have the same symbol (Node 20 prints XCG as "Cg.", Chromium 138
   * knows none and prints the code), so server and browser write the same text.
   */
  showCode?: true;
}

/**
 * Every currency staff may choose for an organization: ISO 4217's current circulating
 * currencies. Funds codes (CLF, COU, UYW…), precious metals, the SDR and test codes are
 * units of account rather than money a client pays an invoice in, so they are not offered.
 */
export const offeredCurrencies: readonly Currency[] = [
  { code: 'AED', digits: 2, name: 'UAE Dirham' },
  { code: 'AFN', digits: 2, name: 'Afghani' },
  { code: 'ALL', digits: 2, name: 'Lek' },
  { code: 'AMD', digits: 2, name: 'Armenian Dram' },
  { code: 'AOA', digits: 2, name: 'Kwanza' },
  { code: 'ARS', digits: 2, name: 'Argentine Peso' },
  { code: 'AUD', digits: 2, name: 'Australian Dollar' },
  { code: 'AWG', digits: 2, name: 'Aruban Florin' },
  { code: 'AZN', digits: 2, name: 'Azerbaijan Manat' },
  { code: 'BAM', digits: 2, name: 'Convertible Mark' },
  { code: 'BBD', digits: 2, name: 'Barbados Dollar' },
  { code: 'BDT', digits: 2, name: 'Taka' },
  { code: 'BGN', digits: 2, name: 'Bulgarian Lev' },
  { code: 'BHD', digits: 3, name: 'Bahraini Dinar' },
  { code: 'BIF', digits: 0, name: 'Burundi Franc' },
  { code: 'BMD', digits: 2, name: 'Bermudian Dollar' },
  { code: 'BND', digits: 2, name: 'Brunei Dollar' },
  { code: 'BOB', digits: 2, name: 'Boliviano' },
  { code: 'BRL', digits: 2, name: 'Brazilian Real' },
  { code: 'BSD', digits: 2, name: 'Bahamian Dollar' },
  { code: 'BTN', digits: 2, name: 'Ngultrum' },
  { code: 'BWP', digits: 2, name: 'Pula' },
  { code: 'BYN', digits: 2, name: 'Belarusian Ruble' },
  { code: 'BZD', digits: 2, name: 'Belize Dollar' },
  { code: 'CAD', digits: 2, name: 'Canadian Dollar' },
  { code: 'CDF', digits: 2, name: 'Congolese Franc' },
  { code: 'CHF', digits: 2, name: 'Swiss Franc' },
  { code: 'CLP', digits: 0, name: 'Chilean Peso' },
  { code: 'CNY', digits: 2, name: 'Yuan Renminbi' },
  { code: 'COP', digits: 2, name: 'Colombian Peso' },
  { code: 'CRC', digits: 2, name: 'Costa Rican Colon' },
  { code: 'CUP', digits: 2, name: 'Cuban Peso' },
  { code: 'CVE', digits: 2, name: 'Cabo Verde Escudo' },
  { code: 'CZK', digits: 2, name: 'Czech Koruna' },
  { code: 'DJF', digits: 0, name: 'Djibouti Franc' },
  { code: 'DKK', digits: 2, name: 'Danish Krone' },
  { code: 'DOP', digits: 2, name: 'Dominican Peso' },
  { code: 'DZD', digits: 2, name: 'Algerian Dinar' },
  { code: 'EGP', digits: 2, name: 'Egyptian Pound' },
  { code: 'ERN', digits: 2, name: 'Nakfa' },
  { code: 'ETB', digits: 2, name: 'Ethiopian Birr' },
  { code: 'EUR', digits: 2, name: 'Euro' },
  { code: 'FJD', digits: 2, name: 'Fiji Dollar' },
  { code: 'FKP', digits: 2, name: 'Falkland Islands Pound' },
  { code: 'GBP', digits: 2, name: 'Pound Sterling' },
  { code: 'GEL', digits: 2, name: 'Lari' },
  { code: 'GHS', digits: 2, name: 'Ghana Cedi' },
  { code: 'GIP', digits: 2, name: 'Gibraltar Pound' },
  { code: 'GMD', digits: 2, name: 'Dalasi' },
  { code: 'GNF', digits: 0, name: 'Guinean Franc' },
  { code: 'GTQ', digits: 2, name: 'Quetzal' },
  { code: 'GYD', digits: 2, name: 'Guyana Dollar' },
  { code: 'HKD', digits: 2, name: 'Hong Kong Dollar' },
  { code: 'HNL', digits: 2, name: 'Lempira' },
  { code: 'HTG', digits: 2, name: 'Gourde' },
  { code: 'HUF', digits: 2, name: 'Forint' },
  { code: 'IDR', digits: 2, name: 'Rupiah' },
  { code: 'ILS', digits: 2, name: 'New Israeli Sheqel' },
  { code: 'INR', digits: 2, name: 'Indian Rupee' },
  { code: 'IQD', digits: 3, name: 'Iraqi Dinar' },
  { code: 'IRR', digits: 2, name: 'Iranian Rial' },
  { code: 'ISK', digits: 0, name: 'Iceland Krona' },
  { code: 'JMD', digits: 2, name: 'Jamaican Dollar' },
  { code: 'JOD', digits: 3, name: 'Jordanian Dinar' },
  { code: 'JPY', digits: 0, name: 'Yen' },
  { code: 'KES', digits: 2, name: 'Kenyan Shilling' },
  { code: 'KGS', digits: 2, name: 'Som' },
  { code: 'KHR', digits: 2, name: 'Riel' },
  { code: 'KMF', digits: 0, name: 'Comorian Franc' },
  { code: 'KPW', digits: 2, name: 'North Korean Won' },
  { code: 'KRW', digits: 0, name: 'Won' },
  { code: 'KWD', digits: 3, name: 'Kuwaiti Dinar' },
  { code: 'KYD', digits: 2, name: 'Cayman Islands Dollar' },
  { code: 'KZT', digits: 2, name: 'Tenge' },
  { code: 'LAK', digits: 2, name: 'Lao Kip' },
  { code: 'LBP', digits: 2, name: 'Lebanese Pound' },
  { code: 'LKR', digits: 2, name: 'Sri Lanka Rupee' },
  { code: 'LRD', digits: 2, name: 'Liberian Dollar' },
  { code: 'LSL', digits: 2, name: 'Loti' },
  { code: 'LYD', digits: 3, name: 'Libyan Dinar' },
  { code: 'MAD', digits: 2, name: 'Moroccan Dirham' },
  { code: 'MDL', digits: 2, name: 'Moldovan Leu' },
  { code: 'MGA', digits: 2, name: 'Malagasy Ariary' },
  { code: 'MKD', digits: 2, name: 'Denar' },
  { code: 'MMK', digits: 2, name: 'Kyat' },
  { code: 'MNT', digits: 2, name: 'Tugrik' },
  { code: 'MOP', digits: 2, name: 'Pataca' },
  { code: 'MRU', digits: 2, name: 'Ouguiya' },
  { code: 'MUR', digits: 2, name: 'Mauritius Rupee' },
  { code: 'MVR', digits: 2, name: 'Rufiyaa' },
  { code: 'MWK', digits: 2, name: 'Malawi Kwacha' },
  { code: 'MXN', digits: 2, name: 'Mexican Peso' },
  { code: 'MYR', digits: 2, name: 'Malaysian Ringgit' },
  { code: 'MZN', digits: 2, name: 'Mozambique Metical' },
  { code: 'NAD', digits: 2, name: 'Namibia Dollar' },
  { code: 'NGN', digits: 2, name: 'Naira' },
  { code: 'NIO', digits: 2, name: 'Cordoba Oro' },
  { code: 'NOK', digits: 2, name: 'Norwegian Krone' },
  { code: 'NPR', digits: 2, name: 'Nepalese Rupee' },
  { code: 'NZD', digits: 2, name: 'New Zealand Dollar' },
  { code: 'OMR', digits: 3, name: 'Rial Omani' },
  { code: 'PAB', digits: 2, name: 'Balboa' },
  { code: 'PEN', digits: 2, name: 'Sol' },
  { code: 'PGK', digits: 2, name: 'Kina' },
  { code: 'PHP', digits: 2, name: 'Philippine Peso' },
  { code: 'PKR', digits: 2, name: 'Pakistan Rupee' },
  { code: 'PLN', digits: 2, name: 'Zloty' },
  { code: 'PYG', digits: 0, name: 'Guarani' },
  { code: 'QAR', digits: 2, name: 'Qatari Rial' },
  { code: 'RON', digits: 2, name: 'Romanian Leu' },
  { code: 'RSD', digits: 2, name: 'Serbian Dinar' },
  { code: 'RUB', digits: 2, name: 'Russian Ruble' },
  { code: 'RWF', digits: 0, name: 'Rwanda Franc' },
  { code: 'SAR', digits: 2, name: 'Saudi Riyal' },
  { code: 'SBD', digits: 2, name: 'Solomon Islands Dollar' },
  { code: 'SCR', digits: 2, name: 'Seychelles Rupee' },
  { code: 'SDG', digits: 2, name: 'Sudanese Pound' },
  { code: 'SEK', digits: 2, name: 'Swedish Krona' },
  { code: 'SGD', digits: 2, name: 'Singapore Dollar' },
  { code: 'SHP', digits: 2, name: 'Saint Helena Pound' },
  { code: 'SLE', digits: 2, name: 'Leone' },
  { code: 'SOS', digits: 2, name: 'Somali Shilling' },
  { code: 'SRD', digits: 2, name: 'Surinam Dollar' },
  { code: 'SSP', digits: 2, name: 'South Sudanese Pound' },
  { code: 'STN', digits: 2, name: 'Dobra' },
  { code: 'SVC', digits: 2, name: 'El Salvador Colon' },
  { code: 'SYP', digits: 2, name: 'Syrian Pound' },
  { code: 'SZL', digits: 2, name: 'Lilangeni' },
  { code: 'THB', digits: 2, name: 'Baht' },
  { code: 'TJS', digits: 2, name: 'Somoni' },
  { code: 'TMT', digits: 2, name: 'Turkmenistan New Manat' },
  { code: 'TND', digits: 3, name: 'Tunisian Dinar' },
  { code: 'TOP', digits: 2, name: 'Pa’anga' },
  { code: 'TRY', digits: 2, name: 'Turkish Lira' },
  { code: 'TTD', digits: 2, name: 'Trinidad and Tobago Dollar' },
  { code: 'TWD', digits: 2, name: 'New Taiwan Dollar' },
  { code: 'TZS', digits: 2, name: 'Tanzanian Shilling' },
  { code: 'UAH', digits: 2, name: 'Hryvnia' },
  { code: 'UGX', digits: 0, name: 'Uganda Shilling' },
  { code: 'USD', digits: 2, name: 'US Dollar' },
  { code: 'UYU', digits: 2, name: 'Peso Uruguayo' },
  { code: 'UZS', digits: 2, name: 'Uzbekistan Sum' },
  { code: 'VED', digits: 2, name: 'Bolívar Soberano (digital)' },
  { code: 'VES', digits: 2, name: 'Bolívar Soberano' },
  { code: 'VND', digits: 0, name: 'Dong' },
  { code: 'VUV', digits: 0, name: 'Vatu' },
  { code: 'WST', digits: 2, name: 'Tala' },
  { code: 'XAF', digits: 0, name: 'CFA Franc BEAC' },
  { code: 'XCD', digits: 2, name: 'East Caribbean Dollar' },
  { code: 'XCG', digits: 2, name: 'Caribbean Guilder', showCode: true },
  { code: 'XOF', digits: 0, name: 'CFA Franc BCEAO' },
  { code: 'XPF', digits: 0, name: 'CFP Franc' },
  { code: 'YER', digits: 2, name: 'Yemeni Rial' },
  { code: 'ZAR', digits: 2, name: 'Rand' },
  { code: 'ZMW', digits: 2, name: 'Zambian Kwacha' },
  { code: 'ZWG', digits: 2, name: 'Zimbabwe Gold' },
];

/**
 * Codes an organization may still hold from before the list above (any code the server's
 * Intl knew was accepted then), with their ISO 4217 digits, so amounts already stored in them
 * keep reading right. They cannot be chosen again. Funds codes and recently withdrawn
 * currencies. A code in neither list (such as XDR, for which ISO gives no minor unit) reads
 * with 2 digits, as it was stored.
 */
export const formerCurrencies: readonly Currency[] = [
  { code: 'ANG', digits: 2, name: 'Netherlands Antillean Guilder' },
  { code: 'BOV', digits: 2, name: 'Mvdol' },
  { code: 'CHE', digits: 2, name: 'WIR Euro' },
  { code: 'CHW', digits: 2, name: 'WIR Franc' },
  { code: 'CLF', digits: 4, name: 'Unidad de Fomento' },
  { code: 'COU', digits: 2, name: 'Unidad de Valor Real' },
  { code: 'CUC', digits: 2, name: 'Peso Convertible' },
  { code: 'HRK', digits: 2, name: 'Kuna' },
  { code: 'MXV', digits: 2, name: 'Mexican Unidad de Inversion (UDI)' },
  { code: 'SLL', digits: 2, name: 'Leone (old)' },
  { code: 'USN', digits: 2, name: 'US Dollar (Next day)' },
  { code: 'UYI', digits: 0, name: 'Uruguay Peso en Unidades Indexadas (UI)' },
  { code: 'UYW', digits: 4, name: 'Unidad Previsional' },
  { code: 'ZWL', digits: 2, name: 'Zimbabwe Dollar' },
];

const offeredByCode = new Map(offeredCurrencies.map((c) => [c.code, c]));
const knownByCode = new Map([...formerCurrencies, ...offeredCurrencies].map((c) => [c.code, c]));

/** Whether staff may choose `code` (upper case, as stored) as an organization's currency. */
export function isOfferedCurrency(code: string): boolean {
  return offeredByCode.has(code);
}

/** Whether amounts in `code` are written with the code rather than Intl's symbol. */
export function showsCurrencyCode(code: string): boolean {
  return knownByCode.get(code)?.showCode === true;
}

/**
 * The ISO 4217 minor-unit digits of `code`: USD 2, JPY 0, KWD 3, HUF 2, IQD 3, CLF 4. A code
 * in neither list (none can be stored since the list was introduced) counts as 2.
 */
export function minorUnitDigits(code: string): number {
  return knownByCode.get(code)?.digits ?? 2;
}
