import { randomUUID } from 'node:crypto';
import type { EventHandlers, Outbox } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import { createPostgresBillingStore } from '../adapters/postgres-billing-store.ts';
import type { Config } from '../config.ts';
import { createBillingService } from '../domain/billing-service.ts';
import { handleOrderPlaced } from './order-placed.ts';
import { handleUserSignedUp } from './user-signed-up.ts';

/** Every event type billing's queue receives, and who handles it. */
export function billingHandlers(
  config: Config,
  outbox: Outbox,
): EventHandlers<'billing', PostgresClient> {
  const billing = createBillingService({
    store: createPostgresBillingStore(outbox),
    accountDefaults: {
      creditLimitCents: config.DEFAULT_CREDIT_LIMIT_CENTS,
      currency: config.BILLING_CURRENCY,
    },
    newId: randomUUID,
  });
  return {
    'user.signed-up': handleUserSignedUp(billing),
    'order.placed': handleOrderPlaced(billing),
  };
}
