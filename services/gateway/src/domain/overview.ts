import type {
  BillingAccount,
  OrderSummary,
  Overview,
  OverviewPart,
  UserProfile,
} from '@storekeeper/contracts';

/** An answer from a service (status and parsed body), or the error of a call that got none. */
export type Answer = { readonly status: number; readonly body: unknown } | Error;

/** What asking a service for an optional part of the overview came to. */
export type PartOutcome<T> =
  | { readonly kind: 'found'; readonly value: T }
  /** A 4xx for this caller: the service is fine, there is nothing to show (no account yet). */
  | { readonly kind: 'none'; readonly status: number }
  /** A 5xx, no answer in time, the circuit open, or an answer outside the contract. */
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Classifies an answer. `read` takes the part out of a 2xx body, or returns undefined
 * when the body is not what the contract says.
 */
export function outcomeOf<T>(
  answer: Answer,
  read: (body: unknown) => T | undefined,
): PartOutcome<T> {
  if (answer instanceof Error) return { kind: 'failed', reason: answer.message };
  if (answer.status >= 500) return { kind: 'failed', reason: `answered ${answer.status}` };
  if (answer.status >= 400) return { kind: 'none', status: answer.status };
  const value = read(answer.body);
  if (value === undefined) {
    return { kind: 'failed', reason: `answered ${answer.status} outside its contract` };
  }
  return { kind: 'found', value };
}

/**
 * The overview from the profile and whatever the other parts came to: a failed part is
 * null and named in `degraded`, an honest partial answer; a part the service has nothing
 * for (4xx, e.g. the billing account not opened yet right after sign-up) is null without
 * being degraded, since nothing is broken.
 */
export function composeOverview(
  profile: UserProfile,
  parts: {
    readonly recentOrders: PartOutcome<OrderSummary[]>;
    readonly billing: PartOutcome<BillingAccount>;
  },
): Overview {
  const degraded: OverviewPart[] = [];
  function partOf<T>(part: OverviewPart, outcome: PartOutcome<T>): T | null {
    if (outcome.kind === 'failed') degraded.push(part);
    return outcome.kind === 'found' ? outcome.value : null;
  }
  return {
    profile,
    recentOrders: partOf('recentOrders', parts.recentOrders),
    billing: partOf('billing', parts.billing),
    degraded,
  };
}
