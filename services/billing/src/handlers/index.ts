import type { EventHandlers, Outbox } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import type { Config } from '../config.ts';
import { handleOrderPlaced } from './order-placed.ts';
import { handleUserSignedUp } from './user-signed-up.ts';

/** Every event type billing's queue receives, and who handles it. */
export function billingHandlers(
  config: Config,
  outbox: Outbox,
): EventHandlers<'billing', PostgresClient> {
  return {
    'user.signed-up': handleUserSignedUp({
      creditLimitCents: config.DEFAULT_CREDIT_LIMIT_CENTS,
      currency: config.BILLING_CURRENCY,
    }),
    'order.placed': handleOrderPlaced(outbox),
  };
}
