import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type KitErrorCode, kitErrors } from './define-errors.ts';
import { AppError, type FieldError, InputError, ServiceUnavailableError } from './errors.ts';
import { PROBLEM_CONTENT_TYPE, type Problem, problemType } from './problem.ts';

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/**
 * Registers the one error handler and the not-found handler of a service: every
 * error leaves as RFC 9457 problem+json. 4xx say what was wrong; 5xx say nothing
 * about internals and are logged with the request instead.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: problem.code, status: problem.status }, problem.detail);
    }
    if (error instanceof ServiceUnavailableError) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
    }
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = methods.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendProblem(
        reply,
        kitProblem(
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
          request.id,
        ),
      );
    }
    return sendProblem(
      reply,
      kitProblem('NOT_FOUND', `Route ${request.method} ${path} does not exist`, request.id),
    );
  });
}

/** A problem the kit answers with itself: status and title from the kit catalogue. */
export function kitProblem(code: KitErrorCode, detail: string, traceId: string): Problem {
  const { status, title } = kitErrors.specs[code];
  return { type: problemType(code), title, status, detail, code, traceId };
}

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

export function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  const traceId = request.id;
  if (error.validation) {
    const errors = error.validation.map((e) => toFieldError(e, error.validationContext ?? 'body'));
    const first = errors[0];
    const detail = first
      ? `${first.in}.${first.field}: ${first.message}`
      : 'The request is invalid';
    return { ...kitProblem('INVALID_INPUT', detail, traceId), errors };
  }
  if (error instanceof AppError) {
    return {
      type: problemType(error.code),
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
      traceId,
      ...(error instanceof InputError && error.errors.length > 0
        ? { errors: [...error.errors] }
        : {}),
    };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, body too large, wrong media type) carry
    // safe messages written for clients.
    const code = error.code?.startsWith('FST_')
      ? fastifyCode(status)
      : (error.code ?? fastifyCode(status));
    return {
      type: problemType(code),
      title: titleOf(code, status),
      status,
      detail: error.message,
      code,
      traceId,
    };
  }
  return kitProblem(
    'INTERNAL',
    'The server failed to handle the request; quote the traceId when reporting it',
    traceId,
  );
}

function toFieldError(error: AjvLikeError, context: string): FieldError {
  const path = (error.instancePath ?? '').split('/').filter(Boolean);
  const params = error.params ?? {};
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return {
      in: context,
      field: [...path, params.missingProperty].join('.'),
      message: 'is required',
    };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return {
      in: context,
      field: [...path, params.additionalProperty].join('.'),
      message: 'is not allowed',
    };
  }
  if (error.keyword === 'pattern' && params.pattern === NOT_BLANK_PATTERN) {
    return { in: context, field: path.join('.'), message: 'must not be blank' };
  }
  return { in: context, field: path.join('.') || '(root)', message: error.message ?? 'is invalid' };
}

/** The contracts' "at least one non-space character" pattern (`Text` in @storekeeper/contracts). */
const NOT_BLANK_PATTERN = '\\S';

function fastifyCode(status: number): string {
  switch (status) {
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'TOO_MANY_REQUESTS';
    default:
      return 'INVALID_INPUT';
  }
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
};

function titleOf(code: string, status: number): string {
  const spec = Object.hasOwn(kitErrors.specs, code)
    ? kitErrors.specs[code as KitErrorCode]
    : undefined;
  if (spec?.status === status) return spec.title;
  return titles[status] ?? 'Client Error';
}
