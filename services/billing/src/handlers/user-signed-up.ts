import type { EventHandler } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import type { BillingService } from '../domain/billing-service.ts';

/** A new user gets a billing account with the default credit limit. */
export function handleUserSignedUp(
  billing: Pick<BillingService<PostgresClient, unknown>, 'openAccount'>,
): EventHandler<'user.signed-up', PostgresClient> {
  return async (event, { tx, logger }) => {
    const { userId, billingAddress } = event.data;
    await billing.openAccount(tx, { userId, billingAddress });
    logger.info({ userId }, 'billing account opened');
  };
}
