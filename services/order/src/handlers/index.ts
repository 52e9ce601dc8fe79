import type { EventHandlers } from '@storekeeper/messaging';
import type { PostgresClient } from '@storekeeper/platform';
import type { OrderService } from '../domain/order-service.ts';
import { handlePaymentFailed } from './payment-failed.ts';
import { handlePaymentSucceeded } from './payment-succeeded.ts';

/** Every event type the order queue receives, and who handles it. */
export function orderHandlers(
  orders: Pick<OrderService<PostgresClient>, 'confirmPayment' | 'rejectPayment'>,
): EventHandlers<'order', PostgresClient> {
  return {
    'payment.succeeded': handlePaymentSucceeded(orders),
    'payment.failed': handlePaymentFailed(orders),
  };
}
