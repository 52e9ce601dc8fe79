import type { EventHandler } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import type { BillingService } from '../domain/billing-service.ts';

/**
 * Charges a placed order and tells the order service how it went, on the inbox
 * transaction: the charge, the payment event and the inbox row commit together.
 */
export function handleOrderPlaced(
  billing: Pick<BillingService<PostgresClient, unknown>, 'chargeOrder'>,
): EventHandler<'order.placed', PostgresClient> {
  return async (event, { tx, logger }) => {
    const { orderId, userId, totalCents, currency } = event.data;
    const outcome = await billing.chargeOrder(tx, {
      orderId,
      userId,
      amountCents: totalCents,
      currency,
    });
    if (outcome.outcome === 'accepted') {
      logger.info({ orderId, amountCents: totalCents }, 'order charged');
      return;
    }
    logger.info({ orderId, reason: outcome.reason }, 'order refused');
  };
}
