import { type Static, Type } from 'typebox';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, plus Storekeeper's `code` and `traceId`. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URI reference identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    traceId: Type.String({ description: 'Correlates this response with logs and traces' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          in: Type.String(),
          field: Type.String(),
          message: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem', title: 'Problem' },
);

export type Problem = Static<typeof ProblemSchema>;

/** Problem types are relative URI references into the error catalogue (docs/errors.md). */
export function problemType(code: string): string {
  return `/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

/**
 * A route's error response in its schema: problem+json, documented as such, so OpenAPI
 * clients (and schemathesis) expect the content type the error handler really sends.
 */
export const problemResponse = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: Type.Ref('Problem') } },
});

const problemDescriptions: Record<number, string> = {
  400: 'The request is invalid; `errors` names each offending field',
  401: 'The access token is missing, invalid or expired',
  403: 'The caller may not do this',
  404: 'Not found, or not the caller’s',
  405: 'The path does not take this method; `Allow` names those it takes',
  409: 'Conflicts with the current state',
  413: 'The body is too large',
  415: 'The body’s media type is not accepted',
  422: 'Well-formed but cannot be processed as asked',
  429: 'Too many requests; retry after `Retry-After` seconds',
  500: 'The server failed; quote the `traceId` when reporting it',
  503: 'A service is unavailable or overloaded; retry after `Retry-After` seconds',
};

/** What an error status means for any route, for its OpenAPI description. */
export function problemDescription(status: number): string {
  return problemDescriptions[status] ?? 'An error';
}

/**
 * The error responses of a route, for its schema: `...problemResponses(400, 404)`.
 * Prefer a catalogue's `responses(...codes)` (define-errors.ts): it also names the codes.
 */
export function problemResponses(
  ...statuses: number[]
): Record<number, ReturnType<typeof problemResponse>> {
  return Object.fromEntries(
    statuses.map((status) => [status, problemResponse(problemDescription(status))]),
  );
}
