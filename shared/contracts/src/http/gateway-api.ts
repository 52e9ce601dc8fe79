import { type Static, Type } from 'typebox';
import { BillingAccount } from './billing-api.ts';
import { OrderSummary } from './order-api.ts';
import { UserProfile } from './user-api.ts';

/**
 * What the gateway answers by itself, composed from the services behind it: the caller's
 * overview (one request instead of three) and the system's status.
 */

/** How many of the newest orders the overview carries. */
export const overviewRecentOrderCount = 5;

/** A part of the overview that a failing service left out. */
export const OverviewPart = Type.Union([Type.Literal('recentOrders'), Type.Literal('billing')]);
export type OverviewPart = Static<typeof OverviewPart>;

export const Overview = Type.Object(
  {
    profile: UserProfile,
    recentOrders: Type.Union(
      [Type.Array(OrderSummary, { maxItems: overviewRecentOrderCount }), Type.Null()],
      {
        description:
          'The newest orders, newest first; null when the order service could not answer (then listed in `degraded`)',
      },
    ),
    billing: Type.Union([BillingAccount, Type.Null()], {
      description:
        'The billing account; null when it is not opened yet (right after sign-up), or when the billing service could not answer (then listed in `degraded`)',
    }),
    degraded: Type.Array(OverviewPart, {
      uniqueItems: true,
      description:
        'Parts left out because their service failed (error, no answer in time, circuit open); empty when the overview is complete',
    }),
  },
  { title: 'Overview' },
);
export type Overview = Static<typeof Overview>;

export const CircuitBreakerState = Type.Union(
  [Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')],
  {
    description:
      'closed: calls go through; open: calls fail fast; half-open: one trial call decides',
  },
);

const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const UpstreamStatus = Type.Object(
  {
    name: Type.String({ description: 'The service, e.g. billing' }),
    readiness: Type.Union(
      [Type.Literal('ready'), Type.Literal('not-ready'), Type.Literal('no-answer')],
      { description: 'What its readiness probe said just now (no-answer: not in time)' },
    ),
    breaker: CircuitBreakerState,
    window: Type.Object(
      {
        seconds: Type.Number({ description: 'Length of the rolling window' }),
        calls: Count('Calls from the gateway'),
        failures: Count('Calls that ended in a 5xx, no answer, or the open circuit'),
        rejected: Count('Calls the open circuit failed fast'),
        retries: Count('Retries made (under the retry budget)'),
        timeouts: Count('Attempts cut at the timeout'),
      },
      { description: 'Counts over the recent window' },
    ),
    errorRate: Type.Number({ minimum: 0, maximum: 1, description: 'failures ÷ calls' }),
    latencyMs: Type.Union(
      [Type.Object({ p50: Type.Number(), p95: Type.Number(), p99: Type.Number() }), Type.Null()],
      { description: 'Latency of the calls that reached the service; null without any' },
    ),
  },
  { title: 'UpstreamStatus' },
);
export type UpstreamStatus = Static<typeof UpstreamStatus>;

export const SystemStatus = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')], {
      description: 'ok when every service is ready and its circuit closed',
    }),
    checkedAt: Type.String({ format: 'date-time', description: 'When readiness was probed' }),
    services: Type.Array(UpstreamStatus),
  },
  { title: 'SystemStatus' },
);
export type SystemStatus = Static<typeof SystemStatus>;

/** One span of a trace: a service's segment or one of its subsegments (a call, SQL, AWS). */
export const TraceSpan = Type.Object(
  {
    depth: Type.Integer({ minimum: 0, description: 'Nesting: 0 for the first service' }),
    service: Type.String(),
    operation: Type.String({ description: 'e.g. `POST /api/orders`, `SQL …`, `SNS Publish`' }),
    offsetMs: Type.Number({ description: 'Start, from the start of the trace' }),
    durationMs: Type.Number(),
    status: Type.String({
      description:
        'HTTP status, `ok`, or with a mark: `503!`/`fault` (5xx), `404?`/`error` (4xx), `…` in progress',
    }),
  },
  { additionalProperties: false },
);

/** A trace as `pnpm trace` shows it: every span in call order (development only). */
export const TraceView = Type.Object(
  {
    traceId: Type.String(),
    durationMs: Type.Number(),
    services: Type.Array(Type.String(), { description: 'In order of first appearance' }),
    spans: Type.Array(TraceSpan),
  },
  { additionalProperties: false, title: 'TraceView' },
);
export type TraceView = Static<typeof TraceView>;

export const LatestTraceQuery = Type.Object(
  {
    of: Type.Union([Type.Literal('order'), Type.Literal('request')], {
      default: 'order',
      description: 'The latest order placement (POST /api/orders), or the latest request',
    }),
  },
  { additionalProperties: false },
);
