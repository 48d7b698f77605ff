import type { ErrorCode as AnyErrorCode } from '../shared/contract/common.js';

/** The codes a use case may raise; `internal` is the HTTP layer's, for a 500. */
export type ErrorCode = Exclude<AnyErrorCode, 'internal'>;

export interface FieldError {
  field: string;
  message: string;
}

const statusByCode: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  password_change_required: 403,
};

/** The one error type of Portico's use cases; the HTTP layer maps its code to a status. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldError[];

  constructor(code: ErrorCode, message: string, fields: FieldError[] = []) {
    super(message);
    this.code = code;
    this.fields = fields;
  }

  get status(): number {
    return statusByCode[this.code];
  }

  static validation(field: string, message: string): AppError {
    return new AppError('validation', `${field}: ${message}`, [{ field, message }]);
  }

  static notFound(what: string): AppError {
    return new AppError('not_found', `${what} not found`);
  }
}
