import type { EventHandler } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import type { OrderService } from '../domain/order-service.ts';

/**
 * Rejects the order billing could not charge, with billing's reason, on the inbox
 * transaction (see payment-succeeded.ts). A refusal for an order already settled changes
 * nothing: a CONFIRMED order stays confirmed.
 */
export function handlePaymentFailed(
  orders: Pick<OrderService<PostgresClient>, 'rejectPayment'>,
): EventHandler<'payment.failed', PostgresClient> {
  return async (event, { tx, logger }) => {
    const { orderId, reason } = event.data;
    const { order, changed } = await orders.rejectPayment(tx, { orderId, reason });
    if (changed) {
      logger.info({ orderId, reason }, 'order rejected');
      return;
    }
    logger.info({ orderId, status: order.status }, 'payment refusal for a settled order ignored');
  };
}
