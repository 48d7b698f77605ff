import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';

export type Pdf = PDFKit.PDFDocument;

export interface PdfOptions {
  /** Deflate page content (the default). Tests turn it off to read the raw operators. */
  compress?: boolean;
  title?: string;
  author?: string;
  /**
   * What each page's footer names (such as "Invoice INV-1001"), beside "Page n of m". Pages
   * after the first need it: a loose page must say which document it belongs to.
   */
  footer?: string;
}

// Fonts. pdfkit's built-in Helvetica knows Windows-1252 only: "Dvořák" came out garbled and
// the text after it was lost. DejaVu Sans covers Latin (with Extended A/B), Greek and
// Cyrillic; UnifontEX covers the rest of Unicode people type (CJK, emoji, Arabic, Hebrew, …)
// and is the fallback for a text DejaVu cannot write. pdfkit embeds each as a subset of the
// glyphs used. See docs/decisions/0013-pdf-fonts.md.

const require = createRequire(import.meta.url);

/** The font names documents use with doc.font(): the faces registered on every document. */
export type PdfFace = 'Sans' | 'Sans-Bold' | 'Fallback';

interface LoadedFont {
  font: fontkit.Font;
  data: Buffer;
}

/**
 * fontkit's decoded tables (cmap, hmtx, GSUB, GPOS, …), kept on a font object. Not in fontkit's
 * type definitions; fontkit itself hands them from one font object to another
 * (TTFFont.getVariation).
 */
interface FontTables {
  _tables: Record<string, unknown>;
}

const fontFiles: Record<PdfFace, string> = {
  Sans: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  'Sans-Bold': 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  Fallback: '@fontsource/unifontex/files/unifontex-latin-400-normal.woff',
};

const loaded = new Map<PdfFace, LoadedFont>();

/**
 * A face's bytes and its parsed font, read once per process. The parsed font answers which
 * characters a face has; documents write with a font object of their own (documentFont).
 */
function loadFace(face: PdfFace): LoadedFont {
  let entry = loaded.get(face);
  if (!entry) {
    const file = readFileSync(require.resolve(fontFiles[face]));
    // fontkit re-inflates a WOFF table on every read (seconds per document for a font of
    // 65,000 glyphs), so the fallback is unpacked to a plain TrueType font once.
    const data = file.subarray(0, 4).toString('latin1') === 'wOFF' ? woffToSfnt(file) : file;
    const font = fontkit.create(data);
    if (!('glyphsForString' in font)) throw new Error(`${fontFiles[face]} is a font collection`);
    entry = { font, data };
    loaded.set(face, entry);
  }
  return entry;
}

/**
 * A WOFF 1.0 font (https://www.w3.org/TR/WOFF/) as the TrueType/OpenType font it wraps: each
 * table inflated when compressed, laid out again behind an sfnt table directory.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, index) => {
    const entry = 44 + index * 20;
    const offset = woff.readUInt32BE(entry + 4);
    const compLength = woff.readUInt32BE(entry + 8);
    const origLength = woff.readUInt32BE(entry + 12);
    const stored = woff.subarray(offset, offset + compLength);
    return {
      tag: woff.subarray(entry, entry + 4),
      checksum: woff.readUInt32BE(entry + 16),
      data: compLength < origLength ? inflateSync(stored) : stored,
    };
  });
  const log2 = Math.floor(Math.log2(numTables));
  const header = Buffer.alloc(12 + 16 * numTables);
  header.writeUInt32BE(flavor, 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(2 ** log2 * 16, 6);
  header.writeUInt16BE(log2, 8);
  header.writeUInt16BE(numTables * 16 - 2 ** log2 * 16, 10);
  const parts: Buffer[] = [header];
  let offset = header.length;
  tables.forEach((table, index) => {
    const entry = 12 + index * 16;
    table.tag.copy(header, entry);
    header.writeUInt32BE(table.checksum, entry + 4);
    header.writeUInt32BE(offset, entry + 8);
    header.writeUInt32BE(table.data.length, entry + 12);
    const padding = (4 - (table.data.length % 4)) % 4;
    parts.push(table.data, Buffer.alloc(padding));
    offset += table.data.length + padding;
  });
  return Buffer.concat(parts);
}

/** Shown for a character no font has: visible, so nothing is silently lost. */
export const missingGlyph = '\u25A1';

// Characters that only steer other characters (zero-width spaces and joiners, variation
// selectors, the byte order mark) and have no glyph of their own: written, they would show
// as boxes.
const invisibleRanges: [number, number][] = [
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xe0100, 0xe01ef],
];

function isInvisible(char: string): boolean {
  const code = char.codePointAt(0)!;
  return invisibleRanges.some(([from, to]) => code >= from && code <= to);
}

function isLayoutCharacter(char: string): boolean {
  return char === '\n' || char === '\r' || char === '\t';
}

/**
 * The face a text is written in, and the text as written: DejaVu Sans (regular or bold) when
 * it has every character; otherwise the fallback, which has almost all of Unicode, for the
 * whole text, so one face measures it and wrapping stays exact. A character neither face has
 * becomes "□".
 */
export function pdfFaceFor(text: string, bold = false): { face: PdfFace; text: string } {
  const sans: PdfFace = bold ? 'Sans-Bold' : 'Sans';
  const has = (face: PdfFace, char: string) =>
    isLayoutCharacter(char) || loadFace(face).font.hasGlyphForCodePoint(char.codePointAt(0)!);
  const chars = Array.from(text).filter((char) => !isInvisible(char));
  if (chars.every((char) => has(sans, char))) return { face: sans, text: chars.join('') };
  const face: PdfFace = chars.some((char) => !has(sans, char) && has('Fallback', char))
    ? 'Fallback'
    : sans;
  return {
    face,
    text: chars.map((char) => (has(face, char) ? char : missingGlyph)).join(''),
  };
}

/**
 * A font object for one document, sharing the face's decoded tables with every other document.
 *
 * fontkit keeps each glyph it has made on the font object, with the characters it was made
 * for, and pdfkit writes those characters into the document's ToUnicode map (what copy, search
 * and text extraction read). A glyph first made as a part of another (Y inside Ÿ, O inside Ó)
 * has no characters, so with one font object per process every later document wrote Y, O, U
 * as nothing: "YEARLY" was copied as "EARL". A font object per document makes each glyph
 * afresh from that document's own text, as pdfkit does with a font given as bytes. Sharing
 * the decoded tables keeps the cost of a document as it was (~30–60 ms); parsing them per
 * document cost ~250 ms. Filling the glyph cache from the cmap once instead was rejected:
 * ligatures then read as "ﬃ" (U+FB03), not "ffi". See docs/decisions/0013-pdf-fonts.md.
 */
function documentFont(face: PdfFace): fontkit.Font {
  const shared = loadFace(face);
  const font = fontkit.create(shared.data) as fontkit.Font;
  (font as unknown as FontTables)._tables = (shared.font as unknown as FontTables)._tables;
  return font;
}

const registered = new WeakMap<Pdf, Set<PdfFace>>();

/**
 * Sets the face and size for a text and answers the text to write. Each face is registered on
 * a document the first time it is used, so a document embeds only the faces it writes with.
 */
export function pdfFont(doc: Pdf, text: string, options: { bold?: boolean; size: number }) {
  const chosen = pdfFaceFor(text, options.bold);
  const faces = registered.get(doc) ?? new Set<PdfFace>();
  registered.set(doc, faces);
  if (!faces.has(chosen.face)) {
    // pdfkit takes a parsed fontkit font as well as bytes (not in its type definitions).
    doc.registerFont(chosen.face, documentFont(chosen.face) as unknown as Buffer);
    faces.add(chosen.face);
  }
  doc.font(chosen.face).fontSize(options.size);
  return chosen.text;
}

/** The lowest point text may reach on a page; the footer lives below it. */
export function pdfBottom(doc: Pdf): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** Lays out a Letter page document with embedded Unicode fonts and answers its bytes. */
export function renderPdf(build: (doc: Pdf) => void, options: PdfOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'LETTER',
      margin: 50,
      compress: options.compress ?? true,
      bufferPages: true,
      info: { Title: options.title ?? '', Author: options.author ?? '' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      pdfFont(doc, '', { size: 9 });
      build(doc);
      pdfFooters(doc, options.footer ?? '');
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Every page's footer, once the page count is known: the document's name and "Page n of m". */
function pdfFooters(doc: Pdf, label: string): void {
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index);
    // Below the bottom margin pdfkit would start a new page for the text; the footer belongs
    // to this one.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - 35;
    const pageLabel = `Page ${index - range.start + 1} of ${range.count}`;
    doc.fillColor('#868e96');
    const right = pdfFont(doc, pageLabel, { size: 8 });
    const rightWidth = doc.widthOfString(right);
    doc.text(right, doc.page.width - doc.page.margins.right - rightWidth, y, { lineBreak: false });
    if (label) {
      const left = pdfFont(doc, label, { size: 8 });
      const room = doc.page.width - doc.page.margins.left - doc.page.margins.right - rightWidth;
      doc.text(left, doc.page.margins.left, y, {
        width: room - 12,
        lineBreak: false,
        ellipsis: true,
      });
    }
    doc.page.margins.bottom = bottom;
  }
}

/**
 * Breaks a text into lines no wider than `width` in the current face and size: at spaces, at
 * line breaks in the text, and inside a word longer than the line (or a run of CJK text,
 * which has no spaces), so nothing is ever cut off.
 */
export function pdfWrap(doc: Pdf, text: string, width: number): string[] {
  const lines: string[] = [];
  const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (doc.widthOfString(paragraph) <= width) {
      lines.push(paragraph.trimEnd());
      continue;
    }
    let line = '';
    for (const word of paragraph.split(/(?<=\s)(?=\S)/)) {
      const candidate = line + word;
      if (doc.widthOfString(candidate.trimEnd()) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line.trimEnd());
      line = '';
      // A word longer than the line goes on grapheme by grapheme.
      for (const { segment } of graphemes.segment(word)) {
        if (line && doc.widthOfString((line + segment).trimEnd()) > width) {
          lines.push(line.trimEnd());
          line = '';
        }
        line += segment;
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** A table column: where it starts, how wide it is, and how its text is aligned. */
export interface PdfColumn {
  x: number;
  width: number;
  align?: 'left' | 'right';
}

export interface PdfRowOptions {
  bold?: boolean;
  size?: number;
  color?: string;
}

/** Space below a row, in points. */
const rowGap = 4;

interface LaidOutCell {
  size: number;
  lines: string[];
  lineHeight: number;
}

function layOutRow(doc: Pdf, columns: PdfColumn[], cells: string[], options: PdfRowOptions) {
  const size = options.size ?? 9;
  return columns.map((column, index): LaidOutCell => {
    const text = pdfFont(doc, cells[index] ?? '', { bold: options.bold, size });
    return {
      size,
      lines: pdfWrap(doc, text, column.width),
      lineHeight: doc.currentLineHeight(true),
    };
  });
}

function rowHeight(cells: LaidOutCell[]): number {
  return Math.max(...cells.map((cell) => cell.lines.length * cell.lineHeight)) + rowGap;
}

/** How tall a row would be, in points, with its gap below: to keep blocks of rows together. */
export function pdfRowHeight(
  doc: Pdf,
  columns: PdfColumn[],
  cells: string[],
  options: PdfRowOptions = {},
): number {
  return rowHeight(layOutRow(doc, columns, cells, options));
}

/** Starts a new page unless `height` points still fit above the bottom margin. */
export function pdfKeepTogether(doc: Pdf, height: number): void {
  if (doc.y + height > pdfBottom(doc)) doc.addPage();
}

/**
 * Writes one table row and moves below it. A row that does not fit goes to the next page
 * whole; a row taller than a page (a long description) flows across pages line by line.
 * Pages started here fire pdfkit's `pageAdded`, where a document draws its continuation
 * header and sets doc.y below it.
 */
export function pdfRow(
  doc: Pdf,
  columns: PdfColumn[],
  cells: string[],
  options: PdfRowOptions = {},
): void {
  const laidOut = layOutRow(doc, columns, cells, options);
  const height = rowHeight(laidOut);
  const freshPage = pdfBottom(doc) - doc.page.margins.top - 80;
  if (doc.y + height > pdfBottom(doc) && height <= freshPage) doc.addPage();
  const lineCount = Math.max(...laidOut.map((cell) => cell.lines.length));
  const lineHeight = Math.max(...laidOut.map((cell) => cell.lineHeight));
  let next = 0;
  while (next < lineCount) {
    let fit = Math.floor((pdfBottom(doc) - doc.y) / lineHeight);
    if (fit < 1) {
      doc.addPage();
      fit = Math.max(1, Math.floor((pdfBottom(doc) - doc.y) / lineHeight));
    }
    const y = doc.y;
    const upTo = Math.min(lineCount, next + fit);
    doc.fillColor(options.color ?? '#343a40');
    columns.forEach((column, index) => {
      const cell = laidOut[index]!;
      pdfFont(doc, cells[index] ?? '', { bold: options.bold, size: cell.size });
      cell.lines.slice(next, upTo).forEach((line, offset) => {
        const x =
          column.align === 'right' ? column.x + column.width - doc.widthOfString(line) : column.x;
        doc.text(line, x, y + offset * lineHeight, { lineBreak: false });
      });
    });
    doc.y = y + (upTo - next) * lineHeight;
    next = upTo;
  }
  doc.x = doc.page.margins.left;
  doc.y += rowGap;
}

/** A thin rule across the page at the current position. */
export function pdfRule(doc: Pdf, color = '#dee2e6'): void {
  const y = doc.y;
  doc
    .moveTo(doc.page.margins.left, y)
    .lineTo(doc.page.width - doc.page.margins.right, y)
    .lineWidth(0.5)
    .strokeColor(color)
    .stroke();
  doc.y = y + 6;
}

/**
 * A block of text at x (a name, an address line) in the given face, wrapped to `width`,
 * moving below it.
 */
export function pdfText(
  doc: Pdf,
  text: string,
  options: { x?: number; width?: number; bold?: boolean; size?: number; color?: string } = {},
): void {
  const x = options.x ?? doc.page.margins.left;
  pdfRow(
    doc,
    [{ x, width: options.width ?? doc.page.width - doc.page.margins.right - x }],
    [text],
    {
      bold: options.bold,
      size: options.size,
      color: options.color,
    },
  );
  doc.y -= rowGap;
}

/** The branded band at the top of a document: the MSP's colour with its name, and a title. */
export function pdfHeader(
  doc: Pdf,
  brand: { mspName: string; brandColor: string; supportEmail: string; supportPhone: string },
  title: string,
): void {
  const color = /^#[0-9a-fA-F]{6}$/.test(brand.brandColor) ? brand.brandColor : '#1c7ed6';
  doc.rect(0, 0, doc.page.width, 70).fill(color);
  doc.fillColor('#ffffff');
  doc.text(pdfFont(doc, brand.mspName, { bold: true, size: 18 }), 50, 26, {
    width: 330,
    lineBreak: false,
    ellipsis: true,
  });
  doc.text(pdfFont(doc, title, { bold: true, size: 16 }), 380, 28, {
    width: doc.page.width - 430,
    align: 'right',
  });
  const contact = [brand.supportEmail, brand.supportPhone].filter(Boolean).join(' · ');
  doc.fillColor('#868e96');
  if (contact)
    doc.text(pdfFont(doc, contact, { size: 8 }), 50, 78, { width: doc.page.width - 100 });
  doc.x = 50;
  doc.y = 100;
}

/**
 * The top of a page after the first: the document's name in small print (so a loose page
 * says what it belongs to) and a rule, leaving doc.y below them.
 */
export function pdfContinuationHeader(doc: Pdf, label: string): void {
  doc.fillColor('#868e96');
  const text = pdfFont(doc, label, { bold: true, size: 9 });
  doc.text(text, doc.page.margins.left, doc.page.margins.top - 20, {
    width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
    lineBreak: false,
    ellipsis: true,
  });
  doc.x = doc.page.margins.left;
  doc.y = doc.page.margins.top;
}
