/**
 * The one error vocabulary of Storekeeper. Domain code throws these; the error handler
 * maps them to RFC 9457 problem responses. Each error carries a stable `code` that
 * clients can switch on, and the HTTP status it stands for.
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
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly code: string;

  constructor(message: string, defaultCode: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaultCode;
  }
}

/** The request is malformed or breaks a rule about its content (400). */
export class InputError extends AppError {
  readonly status = 400;
  readonly title = 'Bad Request';
  readonly errors: readonly FieldError[];

  constructor(message: string, options: AppErrorOptions & { errors?: readonly FieldError[] } = {}) {
    super(message, 'INVALID_INPUT', options);
    this.errors = options.errors ?? [];
  }
}

/** The caller is not authenticated, or its credentials are not valid (401). */
export class AuthenticationError extends AppError {
  readonly status = 401;
  readonly title = 'Unauthorized';
  constructor(message = 'Authentication is required', options: AppErrorOptions = {}) {
    super(message, 'UNAUTHENTICATED', options);
  }
}

/** The caller is known but may not do this (403). */
export class NotAllowedError extends AppError {
  readonly status = 403;
  readonly title = 'Forbidden';
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, 'NOT_ALLOWED', options);
  }
}

/** The resource does not exist, or the caller may not know that it does (404). */
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly title = 'Not Found';
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, 'NOT_FOUND', options);
  }
}

/** The request conflicts with the current state, e.g. a duplicate (409). */
export class ConflictError extends AppError {
  readonly status = 409;
  readonly title = 'Conflict';
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, 'CONFLICT', options);
  }
}

/** The request is well-formed but cannot be processed as asked (422). */
export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly title = 'Unprocessable Content';
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, 'UNPROCESSABLE', options);
  }
}

/** A dependency is down or the service is shedding load; the caller may retry later (503). */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly title = 'Service Unavailable';
  readonly retryAfterSeconds: number;

  constructor(message: string, options: AppErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(message, 'SERVICE_UNAVAILABLE', options);
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }
}
