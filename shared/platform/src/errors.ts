/**
 * The one error vocabulary of Storekeeper. Domain code throws these; the error handler
 * maps them to RFC 9457 problem responses. Each error carries a stable `code` that
 * clients can switch on, the title of that code, and the HTTP status it stands for.
 * Services name their codes once, in a catalogue (`defineErrors`, define-errors.ts), and
 * make these errors from it.
 */

export interface FieldError {
  /** Where the problem is: `body`, `querystring`, `params` or `headers`. */
  readonly in: string;
  /** The offending field as a JSON pointer-ish path, e.g. `billingAddress.city`. */
  readonly field: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly cause?: unknown;
  /** A stable machine-readable code; defaults to the class's code. */
  readonly code?: string;
  /** The problem title of that code; defaults to the class's title. */
  readonly title?: string;
}

/** What a class answers with when the thrower names no code of its own. */
interface ErrorDefaults {
  readonly code: string;
  readonly title: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  readonly title: string;
  readonly code: string;

  constructor(message: string, defaults: ErrorDefaults, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaults.code;
    this.title = options.title ?? defaults.title;
  }
}

/** The request is malformed or breaks a rule about its content (400). */
export class InputError extends AppError {
  readonly status = 400;
  readonly errors: readonly FieldError[];

  constructor(message: string, options: AppErrorOptions & { errors?: readonly FieldError[] } = {}) {
    super(message, { code: 'INVALID_INPUT', title: 'Invalid input' }, options);
    this.errors = options.errors ?? [];
  }
}

/** The caller is not authenticated, or its credentials are not valid (401). */
export class AuthenticationError extends AppError {
  readonly status = 401;
  constructor(message = 'Authentication is required', options: AppErrorOptions = {}) {
    super(message, { code: 'UNAUTHENTICATED', title: 'Authentication required' }, options);
  }
}

/** The caller is known but may not do this (403). */
export class NotAllowedError extends AppError {
  readonly status = 403;
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'NOT_ALLOWED', title: 'Not allowed' }, options);
  }
}

/** The resource does not exist, or the caller may not know that it does (404). */
export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'NOT_FOUND', title: 'Not found' }, options);
  }
}

/** The request conflicts with the current state, e.g. a duplicate (409). */
export class ConflictError extends AppError {
  readonly status = 409;
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'CONFLICT', title: 'Conflict' }, options);
  }
}

/** The request is well-formed but cannot be processed as asked (422). */
export class UnprocessableError extends AppError {
  readonly status = 422;
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'UNPROCESSABLE', title: 'Unprocessable content' }, options);
  }
}

/** A dependency is down or the service is shedding load; the caller may retry later (503). */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly retryAfterSeconds: number;

  constructor(message: string, options: AppErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(message, { code: 'SERVICE_UNAVAILABLE', title: 'Service unavailable' }, options);
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }
}
