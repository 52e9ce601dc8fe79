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
