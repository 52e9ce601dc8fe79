import type { EventHandler } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import type { OrderService } from '../domain/order-service.ts';

/**
 * Confirms the charged order on the inbox transaction: the OrderConfirmed event, the read
 * model, order.confirmed in the outbox and the inbox row commit together. A late or
 * repeated payment for an order already settled changes nothing.
 */
export function handlePaymentSucceeded(
  orders: Pick<OrderService<PostgresClient>, 'confirmPayment'>,
): EventHandler<'payment.succeeded', PostgresClient> {
  return async (event, { tx, logger }) => {
    const { orderId, chargeId } = event.data;
    const { order, changed } = await orders.confirmPayment(tx, { orderId, chargeId });
    if (changed) {
      logger.info({ orderId }, 'order confirmed');
      return;
    }
    logger.info({ orderId, status: order.status }, 'payment for a settled order ignored');
  };
}
