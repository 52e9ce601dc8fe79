/**
 * A handler's "not yet": something the event needs has not happened yet, usually an
 * earlier event still on its way (an order for an account whose user.signed-up is not
 * handled yet). Not a failure: the consumer rolls the handler's transaction back, logs it
 * as expected (info; warn on the last receive), and lets the message come back after its
 * usual backoff. It still counts as a receive, so a prerequisite that never comes ends in
 * the DLQ after maxReceiveCount.
 */
export class RetryLaterError extends Error {
  constructor(reason: string, options: { readonly cause?: unknown } = {}) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryLaterError';
  }
}

/**
 * Throw it from a handler, or from anything the handler calls, when it cannot proceed yet:
 * `throw retryLater(`no billing account for user ${userId} yet`)`.
 */
export function retryLater(
  reason: string,
  options: { readonly cause?: unknown } = {},
): RetryLaterError {
  return new RetryLaterError(reason, options);
}
