import { type TSchema, Type } from 'typebox';
import {
  AuthenticationError,
  ConflictError,
  type FieldError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
} from './errors.ts';
import { PROBLEM_CONTENT_TYPE, problemDescription } from './problem.ts';

const errorStatuses = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503] as const;

/** The statuses an error code may stand for. */
export type ErrorStatus = (typeof errorStatuses)[number];

const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** One error code: the status it answers with and the problem `title` clients see for it. */
export interface ErrorSpec {
  readonly status: ErrorStatus;
  readonly title: string;
}

export type ErrorSpecs = { readonly [code: string]: ErrorSpec };

/**
 * The class an error of each status is made as, so the one error handler maps it. The
 * other statuses (405, 413, 415, 429, 500) are answered by the kit itself, never thrown.
 */
interface ErrorClasses {
  400: InputError;
  401: AuthenticationError;
  403: NotAllowedError;
  404: NotFoundError;
  409: ConflictError;
  422: UnprocessableError;
  503: ServiceUnavailableError;
}
type ThrowableStatus = keyof ErrorClasses;

/** What a thrower may add to an error of status S: always a cause, and per status more. */
export type CreateErrorOptions<S> = { readonly cause?: unknown } & (S extends 400
  ? { readonly errors?: readonly FieldError[] }
  : unknown) &
  (S extends 503 ? { readonly retryAfterSeconds?: number } : unknown);

type MadeOptions = {
  readonly code: string;
  readonly title: string;
  readonly cause?: unknown;
  readonly errors?: readonly FieldError[];
  readonly retryAfterSeconds?: number;
};

const errorClasses: {
  readonly [S in ThrowableStatus]: (detail: string, options: MadeOptions) => ErrorClasses[S];
} = {
  400: (detail, options) => new InputError(detail, options),
  401: (detail, options) => new AuthenticationError(detail, options),
  403: (detail, options) => new NotAllowedError(detail, options),
  404: (detail, options) => new NotFoundError(detail, options),
  409: (detail, options) => new ConflictError(detail, options),
  422: (detail, options) => new UnprocessableError(detail, options),
  503: (detail, options) => new ServiceUnavailableError(detail, options),
};

/** The codes of a catalogue that code may throw (not those only the kit answers). */
export type ThrowableCode<E extends ErrorSpecs> = {
  [C in keyof E & string]: E[C]['status'] extends ThrowableStatus ? C : never;
}[keyof E & string];

/** A route's documented error responses, keyed by status, to spread into `response`. */
export type ProblemResponses = Record<
  number,
  {
    readonly description: string;
    readonly content: { readonly [PROBLEM_CONTENT_TYPE]: { readonly schema: TSchema } };
  }
>;

export interface ErrorCatalogue<E extends ErrorSpecs> {
  /** Every code with its status and title. */
  readonly specs: E;
  /**
   * The error to throw for `code`: the AppError subclass of its status, carrying the
   * code, its title and `detail` (what went wrong this time, for the client).
   */
  create<C extends ThrowableCode<E>>(
    code: C,
    detail: string,
    options?: CreateErrorOptions<E[C]['status']>,
  ): ErrorClasses[E[C]['status'] & ThrowableStatus];
  /**
   * The problem+json responses of a route that can answer these codes, for its schema:
   * one per status, whose `code` is one of the codes listed for it.
   */
  responses(...codes: readonly (keyof E & string)[]): ProblemResponses;
}

/**
 * The codes the kit answers with in every service (validation, authentication, unknown
 * routes, limits, load shedding, upstream calls, crashes). Every service catalogue
 * extends them; the error handler and the kit's plugins answer with these titles.
 */
export const kitErrors = createErrorCatalogue({
  INVALID_INPUT: { status: 400, title: 'Invalid input' },
  INVALID_JSON: { status: 400, title: 'Body is not valid JSON' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  INVALID_TOKEN: { status: 401, title: 'Access token missing, invalid or expired' },
  JWKS_UNAVAILABLE: { status: 401, title: 'Access token could not be verified' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  OVERLOADED: { status: 503, title: 'Service overloaded' },
  UPSTREAM_UNAVAILABLE: { status: 503, title: 'Upstream service unavailable' },
});

type KitErrorSpecs = typeof kitErrors.specs;
export type KitErrorCode = keyof KitErrorSpecs;

/** A service's own codes may not redefine a kit code. */
type WithoutKitCodes<E> = { readonly [C in keyof E & KitErrorCode]: never };

/**
 * A service's error catalogue: its own codes, declared once, plus the kit's. Domain code
 * throws from it, routes document from it:
 *
 *   export const userErrors = defineErrors({
 *     EMAIL_TAKEN: { status: 409, title: 'Email already registered' },
 *   });
 *   throw userErrors.create('EMAIL_TAKEN', 'An account with this email already exists');
 *   response: { 201: UserProfile, ...userErrors.responses('INVALID_INPUT', 'EMAIL_TAKEN') }
 */
export function defineErrors<const E extends ErrorSpecs>(
  specs: E & WithoutKitCodes<E>,
): ErrorCatalogue<KitErrorSpecs & E> {
  for (const code of Object.keys(specs)) {
    if (Object.hasOwn(kitErrors.specs, code)) {
      throw new TypeError(`error code ${code} is the kit's; name the service's own another way`);
    }
  }
  const all: KitErrorSpecs & E = { ...kitErrors.specs, ...specs };
  return createErrorCatalogue(all);
}

function createErrorCatalogue<const E extends ErrorSpecs>(specs: E): ErrorCatalogue<E> {
  // Checked at definition, so a broken catalogue stops the service at boot.
  for (const [code, spec] of Object.entries(specs)) {
    if (!CODE.test(code)) throw new TypeError(`error code ${code} is not UPPER_SNAKE_CASE`);
    if (!(errorStatuses as readonly number[]).includes(spec.status)) {
      throw new TypeError(`error code ${code} has status ${spec.status}, not an error status`);
    }
    if (spec.title.trim() === '') throw new TypeError(`error code ${code} has no title`);
  }
  const specOf = (code: string): ErrorSpec => {
    const spec = Object.hasOwn(specs, code) ? specs[code] : undefined;
    if (!spec) throw new TypeError(`error code ${code} is not in the catalogue`);
    return spec;
  };

  return {
    specs,
    create(code, detail, options = {}) {
      const spec = specOf(code);
      const make = errorClasses[spec.status as ThrowableStatus] as
        | ((detail: string, options: MadeOptions) => never)
        | undefined;
      if (!make) throw new TypeError(`error code ${code} (${spec.status}) is not thrown by code`);
      return make(detail, { ...options, code, title: spec.title });
    },
    responses(...codes) {
      const byStatus = new Map<number, string[]>();
      for (const code of new Set(codes)) {
        const { status } = specOf(code);
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      }
      const sorted = [...byStatus].sort(([a], [b]) => a - b);
      return Object.fromEntries(
        sorted.map(([status, listed]) => [status, problemResponseOf(status, listed, specs)]),
      );
    },
  };
}

function problemResponseOf(status: number, codes: readonly string[], specs: ErrorSpecs) {
  const list = codes.map((code) => `- \`${code}\`: ${specs[code]?.title}`).join('\n');
  return {
    description: `${problemDescription(status)}\n\n${list}`,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        // The shared Problem, narrowed: this status, and only the codes listed for it.
        schema: Type.Intersect([
          Type.Ref('Problem'),
          Type.Object({ status: Type.Integer({ const: status }), code: Type.Enum([...codes]) }),
        ]),
      },
    },
  };
}
