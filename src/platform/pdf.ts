import PDFDocument from 'pdfkit';

export type Pdf = PDFKit.PDFDocument;

export interface PdfOptions {
  /** Deflate page content (the default). Tests turn it off to read the text back. */
  compress?: boolean;
  title?: string;
  author?: string;
}

/** Lays out a Letter page document with pdfkit's built-in Helvetica and answers its bytes. */
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
      doc.font('Helvetica');
      build(doc);
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** A table column: where it starts, how wide it is, and how its text is aligned. */
export interface PdfColumn {
  x: number;
  width: number;
  align?: 'left' | 'right';
}

/** Writes one table row and moves below it, starting a new page when the row would not fit. */
export function pdfRow(
  doc: Pdf,
  columns: PdfColumn[],
  cells: string[],
  options: { bold?: boolean; size?: number; color?: string } = {},
): void {
  const size = options.size ?? 9;
  doc.font(options.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size);
  const height = Math.max(
    ...columns.map((column, index) =>
      doc.heightOfString(cells[index] ?? '', { width: column.width }),
    ),
  );
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const y = doc.y;
  doc.fillColor(options.color ?? '#343a40');
  columns.forEach((column, index) => {
    doc.text(cells[index] ?? '', column.x, y, {
      width: column.width,
      align: column.align ?? 'left',
    });
  });
  doc.x = doc.page.margins.left;
  doc.y = y + height + 4;
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

/** The branded band at the top of a document: the MSP's colour with its name, and a title. */
export function pdfHeader(
  doc: Pdf,
  brand: { mspName: string; brandColor: string; supportEmail: string; supportPhone: string },
  title: string,
): void {
  const color = /^#[0-9a-fA-F]{6}$/.test(brand.brandColor) ? brand.brandColor : '#1c7ed6';
  doc.rect(0, 0, doc.page.width, 70).fill(color);
  doc.fillColor('#ffffff').font('Helvetica-Bold').fontSize(18).text(brand.mspName, 50, 26, {
    width: 330,
    lineBreak: false,
    ellipsis: true,
  });
  doc.fontSize(16).text(title, 380, 28, { width: doc.page.width - 430, align: 'right' });
  const contact = [brand.supportEmail, brand.supportPhone].filter(Boolean).join(' · ');
  doc.fillColor('#868e96').font('Helvetica').fontSize(8);
  if (contact) doc.text(contact, 50, 78, { width: doc.page.width - 100 });
  doc.x = 50;
  doc.y = 100;
}
