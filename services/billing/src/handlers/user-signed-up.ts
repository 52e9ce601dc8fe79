import type { EventHandler } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import { openAccount } from '../adapters/billing-store.ts';

export interface AccountDefaults {
  readonly creditLimitCents: number;
  readonly currency: string;
}

/** A new user gets a billing account with the default credit limit. */
export function handleUserSignedUp(
  defaults: AccountDefaults,
): EventHandler<'user.signed-up', PostgresClient> {
  return async (event, { tx, logger }) => {
    await openAccount(tx, {
      userId: event.data.userId,
      billingAddress: event.data.billingAddress,
      currency: defaults.currency,
      creditLimitCents: defaults.creditLimitCents,
    });
    logger.info({ userId: event.data.userId }, 'billing account opened');
  };
}
