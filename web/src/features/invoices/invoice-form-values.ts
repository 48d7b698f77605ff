import { ApiError } from '../../api/client';
import { addDays } from '../../lib/format';
import {
  lineAmountCents,
  minorToInput,
  parseAmount,
  parseQuantity,
  quantityToText,
  taxCents,
} from '../../lib/money';
import { maxLineDescriptionLength } from '../../../../src/shared/invoice-limits';
import { invoiceTerms, termDays, type Invoice, type InvoiceTerms } from './invoices-api';

/**
 * The invoice form's values (text as typed), how they start, how they are checked before they
 * are sent, and the live totals the form shows while they are typed.
 */

export interface LineValues {
  key: string;
  description: string;
  quantity: string;
  unitPrice: string;
  taxable: boolean;
}

export interface InvoiceFormValues {
  organizationId: string;
  number: string;
  issueDate: string;
  terms: InvoiceTerms;
  /** Only read when dueDateManual: otherwise the due date follows the issue date and terms. */
  dueDate: string;
  dueDateManual: boolean;
  serviceCategoryId: string;
  /** A tax rate id, or noTax. */
  taxRateId: string;
  memo: string;
  externalReference: string;
  lines: LineValues[];
}

export const noTax = 'none';
let lineKeySeed = 0;
const newLineKey = () => `line-${++lineKeySeed}`;
export const emptyLine = (): LineValues => ({
  key: newLineKey(),
  description: '',
  quantity: '1',
  unitPrice: '',
  taxable: true,
});

export const isTerms = (value: string): value is InvoiceTerms =>
  (invoiceTerms as readonly string[]).includes(value);

export function computedDueDate(values: Pick<InvoiceFormValues, 'issueDate' | 'terms'>): string {
  return addDays(values.issueDate, termDays[values.terms]) ?? '';
}

export function initialValues(
  invoice: Invoice | null,
  today: string,
  organization?: { id: string; name: string },
): InvoiceFormValues {
  if (!invoice) {
    return {
      organizationId: organization?.id ?? '',
      number: '',
      issueDate: today,
      terms: 'Net 30',
      dueDate: '',
      dueDateManual: false,
      serviceCategoryId: '',
      taxRateId: noTax,
      memo: '',
      externalReference: '',
      lines: [emptyLine()],
    };
  }
  const terms = isTerms(invoice.terms) ? invoice.terms : 'Net 30';
  return {
    organizationId: invoice.organizationId,
    number: invoice.number,
    issueDate: invoice.issueDate,
    terms,
    dueDate: invoice.dueDate,
    dueDateManual: invoice.dueDate !== computedDueDate({ issueDate: invoice.issueDate, terms }),
    serviceCategoryId: invoice.serviceCategoryId,
    taxRateId: invoice.taxRateId ?? noTax,
    memo: invoice.memo ?? '',
    externalReference: invoice.externalReference ?? '',
    lines: [...invoice.lines]
      .sort((a, b) => a.position - b.position)
      .map((line) => ({
        key: newLineKey(),
        description: line.description,
        quantity: line.quantity,
        unitPrice: minorToInput(line.unitPriceCents, invoice.currency),
        taxable: line.taxable,
      })),
  };
}

/**
 * The form's own checks. Prices are read in the invoice's currency (its minor units: ¥150 is
 * 150, $1.50 is 150), by the rule the server and the CSV import share.
 */
export function validate(values: InvoiceFormValues, currency: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!values.organizationId) errors.organizationId = 'Choose an organization';
  if (!values.issueDate) errors.issueDate = 'Issue date is required';
  // Typed, but not a date (the box says why): not saved as the date from the terms.
  if (values.dueDateManual && !values.dueDate) errors.dueDate = 'Due date is not a date';
  if (values.dueDateManual && values.dueDate && values.dueDate < values.issueDate) {
    errors.dueDate = 'Due date cannot be before the issue date';
  }
  if (!values.serviceCategoryId) errors.serviceCategoryId = 'Choose a service category';
  if (values.lines.length === 0) errors.lines = 'Add at least one line';
  values.lines.forEach((line, index) => {
    if (!line.description.trim()) errors[`lines.${index}.description`] = 'Description is required';
    else if (line.description.trim().length > maxLineDescriptionLength) {
      errors[`lines.${index}.description`] =
        `Description must be at most ${maxLineDescriptionLength.toLocaleString('en-US')} characters`;
    }
    const quantity = parseQuantity(line.quantity);
    if (!quantity.ok) errors[`lines.${index}.quantity`] = `Quantity ${quantity.message}`;
    const price = parseAmount(line.unitPrice, currency);
    if (!price.ok) errors[`lines.${index}.unitPrice`] = `Unit price ${price.message}`;
  });
  return errors;
}

/** A validated quantity as the API takes it ("1,000" → "1000"). */
export function quantityOf(text: string): string {
  const parsed = parseQuantity(text);
  return parsed.ok ? quantityToText(parsed.value) : text;
}

/** A validated price in minor units. */
export function amountOf(text: string, currency: string): number {
  const parsed = parseAmount(text, currency);
  return parsed.ok ? parsed.value : 0;
}

/** The server names a line's price unitPriceCents; the form's input is unitPrice. */
export function toFormFieldErrors(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.fields.length === 0) return error;
  return new ApiError(
    error.status,
    error.code,
    error.message,
    error.fields.map((f) => ({
      ...f,
      field: f.field.replace(/^lines\.(\d+)\.unitPriceCents$/, 'lines.$1.unitPrice'),
    })),
  );
}

/**
 * The totals shown while the form is typed, in integer minor units (the server's figures win
 * once saved): each line's amount (null while its quantity or price does not read), the
 * subtotal and the tax at `ratePpm`.
 */
export function liveTotals(lines: LineValues[], currency: string, ratePpm: number) {
  const amounts = lines.map((line) => {
    const quantity = parseQuantity(line.quantity);
    const price = parseAmount(line.unitPrice, currency);
    return quantity.ok && price.ok ? lineAmountCents(BigInt(quantity.value), price.value) : null;
  });
  const subtotal = amounts.reduce<number>((sum, amount) => sum + (amount ?? 0), 0);
  const taxable = amounts.reduce<number>(
    (sum, amount, index) => sum + (lines[index]?.taxable ? (amount ?? 0) : 0),
    0,
  );
  return { amounts, subtotal, tax: taxCents(taxable, ratePpm) };
}
