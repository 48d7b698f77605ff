import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError, type FieldError } from '../../platform/errors.js';
import { ticketLimits } from '../../shared/contract/tickets.js';
import type { TicketSettings } from '../settings/settings.service.js';

/**
 * What a ticket post carries beside its text (docs/decisions/0052): the
 * files, read from multipart/form-data within the limits of Configuration > Service Tickets,
 * each checked by its extension and its first bytes. The type a file is stored and served with
 * is the server's, from the extension it was allowed by, never the one the browser sent.
 */

/** A file as accepted: its name as uploaded, the type it will be served with, its bytes. */
export interface AcceptedFile {
  fileName: string;
  contentType: string;
  content: Buffer;
  sizeBytes: number;
  sha256: string;
}

/** The type each known extension is stored and served with. */
const contentTypes: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  zip: 'application/zip',
  eml: 'message/rfc822',
  json: 'application/json',
};

const startsWith = (content: Buffer, ...bytes: number[]) =>
  bytes.every((byte, index) => content[index] === byte);
const zipFile = (c: Buffer) =>
  startsWith(c, 0x50, 0x4b, 0x03, 0x04) || startsWith(c, 0x50, 0x4b, 0x05, 0x06);
const oleFile = (c: Buffer) => startsWith(c, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);
/** Text: no NUL byte, and no markup a browser would take for a page if it ever sniffed it. */
const textFile = (c: Buffer) => {
  const head = c.subarray(0, 8192);
  if (head.includes(0)) return false;
  return !/^\s*<(!doctype|html|script|svg|\?xml)/i.test(head.toString('utf8'));
};

/** Whether the bytes are what the extension says: the file's signature ("magic bytes"). */
const signatures: Record<string, (content: Buffer) => boolean> = {
  pdf: (c) => startsWith(c, 0x25, 0x50, 0x44, 0x46),
  png: (c) => startsWith(c, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
  jpg: (c) => startsWith(c, 0xff, 0xd8, 0xff),
  jpeg: (c) => startsWith(c, 0xff, 0xd8, 0xff),
  gif: (c) => startsWith(c, 0x47, 0x49, 0x46, 0x38),
  webp: (c) => startsWith(c, 0x52, 0x49, 0x46, 0x46) && c.subarray(8, 12).toString() === 'WEBP',
  docx: zipFile,
  xlsx: zipFile,
  pptx: zipFile,
  zip: zipFile,
  doc: oleFile,
  xls: oleFile,
  txt: textFile,
  log: textFile,
  csv: textFile,
  eml: textFile,
  json: textFile,
};

/** The extensions a settings value allows ("pdf,png" → ['pdf', 'png']). */
export function allowedExtensions(settings: Pick<TicketSettings, 'allowedTypes'>): string[] {
  return settings.allowedTypes
    .split(',')
    .map((type) => type.trim().toLowerCase())
    .filter((type) => type in contentTypes);
}

/** "10 MB", "512 KB": a limit as people read it. */
export function sizeInWords(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} KB`;
}

/** The form field whose parts are files. */
export const attachmentsField = 'attachments';

/**
 * Checks one uploaded file against the settings and answers it as it will be stored. 400 naming
 * `attachments`: a type not accepted ("files of type .exe are not accepted"), bytes that are not
 * what the extension says, an empty file, a name too long.
 */
export function acceptFile(
  file: { fileName: string; content: Buffer },
  settings: Pick<TicketSettings, 'allowedTypes' | 'maxFileBytes'>,
): AcceptedFile {
  const fileName = file.fileName.normalize('NFC').trim();
  if (fileName.length === 0 || fileName.includes('\u0000')) {
    throw AppError.validation(attachmentsField, 'each file must have a name');
  }
  if (fileName.length > ticketLimits.fileName) {
    throw AppError.validation(
      attachmentsField,
      `${fileName.slice(0, 40)}…: a file name must be at most ${ticketLimits.fileName} characters`,
    );
  }
  const allowed = allowedExtensions(settings);
  const dot = fileName.lastIndexOf('.');
  const extension = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  if (!extension || !allowed.includes(extension)) {
    throw AppError.validation(
      attachmentsField,
      `${extension ? `files of type .${extension}` : `files without an extension (${fileName})`} are not accepted; accepted: ${allowed.map((type) => `.${type}`).join(', ')}`,
    );
  }
  if (file.content.length > settings.maxFileBytes) {
    throw AppError.validation(
      attachmentsField,
      `each file must be at most ${sizeInWords(settings.maxFileBytes)} (${fileName} is larger)`,
    );
  }
  if (file.content.length === 0) {
    throw AppError.validation(attachmentsField, `${fileName} is empty`);
  }
  if (!signatures[extension]!(file.content)) {
    throw AppError.validation(
      attachmentsField,
      `${fileName} is not a .${extension} file: its content is of another kind`,
    );
  }
  return {
    fileName,
    contentType: contentTypes[extension]!,
    content: file.content,
    sizeBytes: file.content.length,
    sha256: createHash('sha256').update(file.content).digest('hex'),
  };
}

/** A post's text fields and its files, as read from the request. */
export interface TicketPost {
  fields: Record<string, string>;
  files: { fileName: string; content: Buffer }[];
}

// Room for a 20,000-character text in any script (4 bytes a character at most), and a little.
const fieldBytes = ticketLimits.body * 4 + 1024;

/**
 * Reads a ticket post: multipart/form-data (text fields, files under `attachments`) within the
 * settings' limits, or a JSON object of text fields (no files). A limit exceeded is a 400
 * naming `attachments` with the limit in words; nothing has been written yet, so a refused
 * post leaves nothing behind.
 */
export async function readTicketPost(
  request: FastifyRequest,
  settings: Pick<TicketSettings, 'maxFileBytes' | 'maxFiles'>,
): Promise<TicketPost> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (body === undefined || body === null) return { fields: {}, files: [] };
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw AppError.validation('body', 'must be a form or a JSON object');
    }
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string') fields[key] = value;
      else if (typeof value === 'boolean') fields[key] = String(value);
      else throw AppError.validation(key, 'must be text');
    }
    return { fields, files: [] };
  }
  const post: TicketPost = { fields: {}, files: [] };
  try {
    const parts = request.parts({
      limits: {
        fileSize: settings.maxFileBytes,
        files: settings.maxFiles,
        fields: 20,
        fieldSize: fieldBytes,
        parts: settings.maxFiles + 20,
      },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== attachmentsField) {
          await part.toBuffer().catch(() => undefined);
          throw AppError.validation(part.fieldname, 'files go under attachments');
        }
        const content = await part.toBuffer();
        // A browser sends an empty file part when nothing was chosen: not an attachment.
        if (content.length === 0 && !part.filename) continue;
        post.files.push({ fileName: part.filename, content });
      } else {
        if (part.valueTruncated) {
          throw AppError.validation(part.fieldname, 'is too long');
        }
        // HTML's multipart/form-data encoding writes every line break of a text field as
        // CRLF; the text as typed (and as a JSON client sends it) has LF.
        post.fields[part.fieldname] = String(part.value).replace(/\r\n/g, '\n');
      }
    }
  } catch (error) {
    throw limitError(error, settings) ?? error;
  }
  return post;
}

/** The 400 for a multipart limit @fastify/multipart reports, or null for another error. */
function limitError(
  error: unknown,
  settings: Pick<TicketSettings, 'maxFileBytes' | 'maxFiles'>,
): AppError | null {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return AppError.validation(
        attachmentsField,
        `each file must be at most ${sizeInWords(settings.maxFileBytes)}`,
      );
    case 'FST_FILES_LIMIT':
      return AppError.validation(
        attachmentsField,
        `at most ${settings.maxFiles} ${settings.maxFiles === 1 ? 'file' : 'files'} at a time`,
      );
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return AppError.validation('request', 'has too many fields');
    case 'FST_PROTO_VIOLATION':
      return AppError.validation('request', 'has a field name that is not allowed');
    case 'FST_MP_PREMATURE_CLOSE':
      return AppError.validation('request', 'ended before the form was complete');
    default:
      return null;
  }
}

/**
 * The text fields validated by a contract schema: the parsed value, or a 400 naming each bad
 * field (as a JSON route's schema would).
 */
export function parseFields<Schema extends z.ZodType>(
  schema: Schema,
  fields: Record<string, string>,
): z.output<Schema> {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const errors: FieldError[] = parsed.error.issues.map((issue) => ({
    field: issue.path.join('.') || 'request',
    message: issue.message,
  }));
  throw new AppError(
    'validation',
    `Invalid request. ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    errors,
  );
}
