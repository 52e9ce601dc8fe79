import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BillingAccount,
  OrderList,
  Overview,
  overviewRecentOrderCount,
  UserProfile,
} from '@storekeeper/contracts';
import { createLogThrottle, kitErrors, type RawServiceResponse } from '@storekeeper/platform';
import type { FastifyBaseLogger, onRequestAsyncHookHandler } from 'fastify';
import { Compile } from 'typebox/compile';
import type { Upstreams } from '../adapters/upstreams.ts';
import { type Answer, composeOverview, outcomeOf, type PartOutcome } from '../domain/overview.ts';
import { gatewayErrors } from '../errors.ts';
import { forwardedIdentity, sendAsIs } from './forward.ts';

export interface OverviewRoutesDeps {
  readonly upstreams: Upstreams;
  readonly authenticate: onRequestAsyncHookHandler;
  /** Bound for the whole overview, every call and retry included. */
  readonly timeoutMs: number;
}

// The services' answers are checked against the shared contracts before they are composed.
const profileContract = Compile(UserProfile);
const orderListContract = Compile(OrderList);
const billingContract = Compile(BillingAccount);

/**
 * GET /api/me/overview: the profile, the newest orders and the billing account, asked
 * for in parallel with the caller's token. Without the profile there is no overview
 * (503, or the user service's own 4xx as it sent it); without the others there is a
 * partial one (see composeOverview).
 */
export function overviewRoutes(deps: OverviewRoutesDeps): FastifyPluginAsyncTypebox {
  const { user, order, billing } = deps.upstreams;
  const logged = partLogger();
  return async (app) => {
    app.get(
      '/api/me/overview',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'The caller’s profile, newest orders and billing account, in one answer',
          description:
            'When the order or billing service fails, the answer is still 200: that part is null and named in `degraded`. A billing account not opened yet is null without being degraded. Without the profile there is no overview.',
          tags: ['users'],
          security: [{ bearerAuth: [] }],
          response: {
            200: Overview,
            ...gatewayErrors.responses(
              'INVALID_TOKEN',
              'JWKS_UNAVAILABLE',
              'USER_NOT_FOUND',
              'UPSTREAM_UNAVAILABLE',
              'OVERLOADED',
            ),
          },
        },
      },
      async (request, reply) => {
        const call = {
          method: 'GET',
          headers: forwardedIdentity(request),
          timeoutMs: deps.timeoutMs,
        } as const;
        const [profile, orders, account] = await Promise.all([
          user.requestRaw({ ...call, path: '/users/me' }),
          answerOf(order.request({ ...call, path: `/orders?limit=${overviewRecentOrderCount}` })),
          answerOf(billing.request({ ...call, path: '/billing/account' })),
        ]);
        if (profile.status >= 400 && profile.status < 500) return sendAsIs(reply, profile);
        const overview = composeOverview(profileFrom(profile), {
          recentOrders: logged(
            request.log,
            'recentOrders',
            outcomeOf(orders, (body) => (orderListContract.Check(body) ? body.items : undefined)),
          ),
          billing: logged(
            request.log,
            'billing',
            outcomeOf(account, (body) => (billingContract.Check(body) ? body : undefined)),
          ),
        });
        return overview;
      },
    );
  };
}

/** The profile from a non-4xx answer: a 5xx is the user service unavailable. */
function profileFrom(response: RawServiceResponse): UserProfile {
  if (response.status >= 500) {
    throw kitErrors.create(
      'UPSTREAM_UNAVAILABLE',
      `The user service is unavailable: it answered ${response.status}`,
    );
  }
  const body: unknown = JSON.parse(response.body.toString('utf8'));
  if (response.status !== 200 || !profileContract.Check(body)) {
    throw new Error(`the user service answered ${response.status} outside its contract`);
  }
  return body;
}

function answerOf(call: Promise<Answer>): Promise<Answer> {
  return call.catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error)),
  );
}

/**
 * Failed parts are logged with why; a 4xx other than 404 too, as it is unexpected. A part
 * warns once a second at most, with how many answers it was missing from since the last
 * warning (the rest at debug): while billing is down, a warning per overview would flood
 * the logs at the rate of the traffic, and the breaker already says when it opens.
 */
function partLogger() {
  const throttles = new Map<string, () => number | undefined>();
  const warn = (log: FastifyBaseLogger, message: string, part: string, details: object) => {
    const key = `${message}: ${part}`;
    const throttle = throttles.get(key) ?? createLogThrottle(1_000);
    throttles.set(key, throttle);
    const answers = throttle();
    if (answers !== undefined) log.warn({ part, ...details, answers }, message);
    else log.debug({ part, ...details }, message);
  };
  return <T>(log: FastifyBaseLogger, part: string, outcome: PartOutcome<T>): PartOutcome<T> => {
    if (outcome.kind === 'failed') {
      warn(log, 'overview degraded', part, { reason: outcome.reason });
    }
    if (outcome.kind === 'none' && outcome.status !== 404) {
      warn(log, 'overview part refused', part, { status: outcome.status });
    }
    return outcome;
  };
}
