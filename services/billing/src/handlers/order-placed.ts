import { randomUUID } from 'node:crypto';
import type { EventHandler, Outbox } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import { chargeForOrder } from '../adapters/billing-store.ts';

/**
 * Charges a placed order and tells the order service how it went, in one transaction:
 * the charge and the payment event commit together.
 */
export function handleOrderPlaced(outbox: Outbox): EventHandler<'order.placed', PostgresClient> {
  return async (event, { tx, logger }) => {
    const { orderId, userId, totalCents, currency } = event.data;
    const chargeId = randomUUID();
    const decision = await chargeForOrder(tx, {
      chargeId,
      orderId,
      userId,
      amountCents: totalCents,
      currency,
    });
    if (decision.outcome === 'accepted') {
      await outbox.add(tx, 'payment.succeeded', {
        orderId,
        userId,
        chargeId,
        amountCents: totalCents,
        currency,
      });
      logger.info({ orderId, amountCents: totalCents }, 'order charged');
      return;
    }
    await outbox.add(tx, 'payment.failed', {
      orderId,
      userId,
      reason: decision.reason,
      amountCents: totalCents,
      currency,
    });
    logger.info({ orderId, reason: decision.reason }, 'order refused');
  };
}
