import { parse } from 'csv-parse/sync';
import { AppError, type FieldError } from '../../platform/errors.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import type { Actor } from '../audit/audit.js';
import { parseAmount, parseQuantity } from '../../shared/money.js';
import { maxLineDescriptionLength } from '../../shared/invoice-limits.js';
import {
  invoiceTerms,
  isValidDate,
  maxUnitPriceCents,
  dueDateFor,
  type InvoiceTerms,
} from './invoice-math.js';
import { insertInvoice, type InvoiceInput } from './invoice-drafts.js';

const requiredColumns = [
  'invoice_number',
  'organization',
  'issue_date',
  'terms',
  'service_category',
  'description',
  'quantity',
  'unit_price',
] as const;
const optionalColumns = ['due_date', 'tax_rate', 'taxable', 'external_reference', 'state'] as const;
type Column = (typeof requiredColumns)[number] | (typeof optionalColumns)[number];
const knownColumns = new Set<string>([...requiredColumns, ...optionalColumns]);

export const maxImportRows = 10_000;
const maxLinesPerInvoice = 500;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ParsedRow {
  line: number;
  values: Record<Column, string>;
}

/** The column separators a file may use; spreadsheets in many locales save with ";". */
const delimiters = [',', ';', '\t'] as const;
const delimiterNames: Record<string, string> = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' };

/**
 * The file's column separator, read from its header line: the one that splits it into the
 * most known column names (no column name holds a separator, so this cannot misread). A
 * header split by anything else is refused with the character named.
 */
function detectDelimiter(csv: string): string {
  const firstLine = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const knownIn = (delimiter: string) =>
    firstLine
      .split(delimiter)
      .filter((name) => knownColumns.has(name.trim().replace(/^"|"$/g, '').toLowerCase())).length;
  const [best] = delimiters
    .map((delimiter) => ({ delimiter, known: knownIn(delimiter) }))
    .sort((a, b) => b.known - a.known);
  if (best && best.known > 1) return best.delimiter;
  const other = firstLine
    .toLowerCase()
    .replace(/[a-z0-9_\s"]+/g, '')
    .charAt(0);
  if (other && !(delimiters as readonly string[]).includes(other)) {
    throw AppError.validation(
      'csv',
      `has its columns separated by "${other}"; separate them with commas or semicolons`,
    );
  }
  return ',';
}

/** The file's rows with the line each starts on (header = line 1), or a 400 on bad CSV. */
function readRows(csv: string): { columns: string[]; rows: ParsedRow[] } {
  const delimiter = detectDelimiter(csv);
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    records = parse(csv, {
      delimiter,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
    }) as unknown as typeof records;
  } catch (error) {
    throw AppError.validation(
      'csv',
      `is not valid CSV (columns separated by ${delimiterNames[delimiter]}): ${(error as Error).message}`,
    );
  }
  const [header, ...body] = records;
  if (!header) throw AppError.validation('csv', 'is empty; the first line must name the columns');
  const columns = header.record.map((name) => name.trim().toLowerCase());
  const unknown = columns.filter((c) => !knownColumns.has(c));
  if (unknown.length) {
    throw AppError.validation('csv', `has unknown columns: ${unknown.join(', ')}`);
  }
  const missing = requiredColumns.filter((c) => !columns.includes(c));
  if (missing.length) {
    throw AppError.validation('csv', `is missing the columns: ${missing.join(', ')}`);
  }
  if (body.length === 0) throw AppError.validation('csv', 'has no invoice rows');
  if (body.length > maxImportRows) {
    throw AppError.validation('csv', `has more than ${maxImportRows} rows; split the file`);
  }
  // A record ends on info.lines; it starts after the previous one and any blank lines between.
  let previousEnd = header.info.lines;
  let previousEmpty = header.info.empty_lines;
  const rows = body.map(({ record, info }) => {
    const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
    previousEnd = info.lines;
    previousEmpty = info.empty_lines;
    const values = Object.fromEntries(
      [...knownColumns].map((c) => {
        const index = columns.indexOf(c);
        return [c, index >= 0 ? (record[index] ?? '').trim() : ''];
      }),
    ) as Record<Column, string>;
    return { line, values };
  });
  return { columns, rows };
}

interface Lookups {
  organizations: { id: string; name: string; archived: boolean; currency: string }[];
  categories: { id: string; name: string; archived: boolean }[];
  taxRates: { id: string; name: string; archived: boolean }[];
}

async function loadLookups(pool: Pool, rows: ParsedRow[]): Promise<Lookups> {
  const orgKeys = [...new Set(rows.map((r) => r.values.organization.toLowerCase()))];
  const ids = orgKeys.filter((k) => uuidPattern.test(k));
  const organizations = await pool.query<Lookups['organizations'][number]>(
    `SELECT id, name, archived_at IS NOT NULL AS archived, currency FROM organizations
      WHERE lower(name) = ANY($1::text[]) OR id = ANY($2::uuid[])`,
    [orgKeys, ids],
  );
  const categories = await pool.query<{ id: string; name: string; archived: boolean }>(
    'SELECT id, name, archived_at IS NOT NULL AS archived FROM service_categories',
  );
  const taxRates = await pool.query<{ id: string; name: string; archived: boolean }>(
    'SELECT id, name, archived_at IS NOT NULL AS archived FROM tax_rates',
  );
  return {
    organizations: organizations.rows,
    categories: categories.rows,
    taxRates: taxRates.rows,
  };
}

interface Group {
  number: string;
  firstLine: number;
  state: 'draft' | 'issued';
  /** Absent when the invoice's first row has errors: nothing will be imported anyway. */
  input?: InvoiceInput;
  /** The invoice-level columns as written on the first row, to compare later rows with. */
  header: string;
}

const invoiceLevelColumns: Column[] = [
  'organization',
  'issue_date',
  'due_date',
  'terms',
  'service_category',
  'tax_rate',
  'external_reference',
  'state',
];

/**
 * Imports invoices from CSV: every row is checked first, and either every invoice is written,
 * in one transaction, or none is and each bad row is named with its line and column.
 */
export async function importInvoicesCsv(options: { pool: Pool; actor: Actor; csv: string }) {
  const { rows } = readRows(options.csv);
  const lookups = await loadLookups(options.pool, rows);
  const errors: FieldError[] = [];
  const error = (line: number, column: string, message: string) =>
    errors.push({ field: `line ${line}: ${column}`, message });

  const groups = new Map<string, Group>();
  let lastNumber: string | null = null;

  for (const { line, values } of rows) {
    const errorsBefore = errors.length;
    const number = values.invoice_number;
    if (!number) error(line, 'invoice_number', 'is required');
    else if (number.length > 50) error(line, 'invoice_number', 'must be at most 50 characters');

    // Organization: its id, or its exact name (any case).
    let organizationId = '';
    // Amounts are in the organization's currency, read in its own minor units.
    let currency = 'USD';
    const orgKey = values.organization.toLowerCase();
    if (!orgKey) error(line, 'organization', 'is required');
    else {
      const matches = lookups.organizations.filter(
        (o) => o.id === orgKey || o.name.toLowerCase() === orgKey,
      );
      if (matches.length === 0) error(line, 'organization', 'is not an organization');
      else if (matches.length > 1) {
        error(line, 'organization', 'names more than one organization; use its id');
      } else if (matches[0]!.archived) error(line, 'organization', 'is archived');
      else {
        organizationId = matches[0]!.id;
        currency = matches[0]!.currency;
      }
    }

    if (!isValidDate(values.issue_date)) error(line, 'issue_date', 'must be a date (YYYY-MM-DD)');
    if (values.due_date && !isValidDate(values.due_date)) {
      error(line, 'due_date', 'must be a date (YYYY-MM-DD)');
    }
    const terms = invoiceTerms.find((t) => t.toLowerCase() === values.terms.toLowerCase());
    if (!terms) error(line, 'terms', `must be one of: ${invoiceTerms.join(', ')}`);
    if (
      terms &&
      isValidDate(values.issue_date) &&
      values.due_date &&
      isValidDate(values.due_date)
    ) {
      if (dueDateFor(values.issue_date, terms, values.due_date) < values.issue_date) {
        error(line, 'due_date', 'must be on or after the issue date');
      }
    }

    const category = lookups.categories.find(
      (c) => c.name.toLowerCase() === values.service_category.toLowerCase(),
    );
    if (!values.service_category) error(line, 'service_category', 'is required');
    else if (!category) error(line, 'service_category', 'is not a service category');
    else if (category.archived) error(line, 'service_category', 'is archived');

    let taxRateId: string | null = null;
    if (values.tax_rate) {
      const rate = lookups.taxRates.find(
        (t) => t.name.toLowerCase() === values.tax_rate.toLowerCase(),
      );
      if (!rate) error(line, 'tax_rate', 'is not a tax rate');
      else if (rate.archived) error(line, 'tax_rate', 'is archived');
      else taxRateId = rate.id;
    }

    if (!values.description) error(line, 'description', 'is required');
    else if (values.description.length > maxLineDescriptionLength) {
      error(line, 'description', `must be at most ${maxLineDescriptionLength} characters`);
    } else if (values.description.includes('\u0000')) {
      error(line, 'description', 'must not contain a NUL character');
    }
    const quantity = parseQuantity(values.quantity);
    if (!quantity.ok) error(line, 'quantity', quantity.message);
    const unitPrice = parseAmount(values.unit_price, currency, { max: maxUnitPriceCents });
    if (!unitPrice.ok) error(line, 'unit_price', unitPrice.message);
    const taxableText = values.taxable.toLowerCase();
    let taxable = true;
    if (['no', 'false'].includes(taxableText)) taxable = false;
    else if (!['', 'yes', 'true'].includes(taxableText)) {
      error(line, 'taxable', 'must be yes, no, true or false');
    }
    if (values.external_reference.length > 200) {
      error(line, 'external_reference', 'must be at most 200 characters');
    }
    const stateText = values.state.toLowerCase() || 'issued';
    if (stateText !== 'draft' && stateText !== 'issued') {
      error(line, 'state', 'must be draft or issued');
    }

    if (!number) continue;
    const header = JSON.stringify(invoiceLevelColumns.map((c) => values[c].toLowerCase()));
    // Numbers are unique ignoring letter case, so rows group by the lower-case number.
    const key = number.toLowerCase();
    const group = groups.get(key);
    if (group) {
      if (group.number !== number) {
        error(
          line,
          'invoice_number',
          `${number} is the same number as ${group.number} on line ${group.firstLine} (letter case is ignored)`,
        );
      } else if (lastNumber !== number) {
        error(
          line,
          'invoice_number',
          `is used by another invoice earlier in the file (line ${group.firstLine})`,
        );
      } else if (group.header !== header) {
        error(
          line,
          'invoice_number',
          `has invoice details that differ from line ${group.firstLine} of the same invoice`,
        );
      } else if ((group.input?.lines.length ?? 0) >= maxLinesPerInvoice) {
        error(line, 'invoice_number', `has more than ${maxLinesPerInvoice} lines`);
      }
    }
    lastNumber = number;
    if (errors.length > errorsBefore) {
      if (!group) groups.set(key, { number, firstLine: line, header, state: 'issued' });
      continue;
    }
    const lineInput = {
      description: values.description,
      quantityTenThousandths: quantity.ok ? quantity.value : 0,
      unitPriceCents: unitPrice.ok ? unitPrice.value : 0,
      taxable,
    };
    if (group) {
      group.input?.lines.push(lineInput);
    } else {
      groups.set(key, {
        number,
        firstLine: line,
        header,
        state: stateText as 'draft' | 'issued',
        input: {
          organizationId,
          number,
          issueDate: values.issue_date,
          dueDate: values.due_date || undefined,
          terms: terms as InvoiceTerms,
          serviceCategoryId: category!.id,
          taxRateId,
          externalReference: values.external_reference || undefined,
          lines: [lineInput],
        },
      });
    }
  }

  // Numbers already taken, in any letter case (along invoices_number_lower_idx).
  const taken = await options.pool.query<{ number: string }>(
    'SELECT number FROM invoices WHERE lower(number) = ANY($1::text[])',
    [[...groups.keys()]],
  );
  for (const { number: existing } of taken.rows) {
    const group = groups.get(existing.toLowerCase())!;
    const by = existing === group.number ? '' : ` by ${existing}`;
    error(group.firstLine, 'invoice_number', `${group.number} is already taken${by}`);
  }

  if (errors.length > 0) {
    const badRows = new Set(errors.map((e) => e.field.replace(/:.*$/, ''))).size;
    errors.sort((a, b) => lineOf(a) - lineOf(b));
    throw new AppError(
      'validation',
      `${badRows} ${badRows === 1 ? 'row has' : 'rows have'} errors; nothing was imported`,
      errors.slice(0, 1000),
    );
  }

  const imported = await withTransaction(options.pool, async (tx) => {
    const created: { id: string; number: string }[] = [];
    for (const group of groups.values()) {
      created.push(
        await insertInvoice(tx, options.actor, group.input!, {
          state: group.state,
          action: 'invoice.imported',
        }),
      );
    }
    return created;
  });
  return { imported: imported.length, invoices: imported };
}

function lineOf(error: FieldError): number {
  return Number(/^line (\d+)/.exec(error.field)?.[1] ?? 0);
}
