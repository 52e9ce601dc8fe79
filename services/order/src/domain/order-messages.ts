import type { EventData } from '@storekeeper/contracts';
import type { Order, OrderEvent } from './order.ts';

type Published = 'order.placed' | 'order.confirmed' | 'order.rejected';

/** An event the order service publishes, before it is put in its envelope. */
export type OrderMessage = {
  [T in Published]: { readonly type: T; readonly data: EventData<T> };
}[Published];

/**
 * What the rest of the system hears about the events just appended: the stream's events
 * are the order's own vocabulary, these are the contract (shared/contracts). `order` is
 * the state after the events.
 */
export function messagesFor(order: Order, events: readonly OrderEvent[]): OrderMessage[] {
  const { id: orderId, userId, totalCents, currency } = order;
  return events.map((event): OrderMessage => {
    if (event.type === 'OrderConfirmed') {
      return { type: 'order.confirmed', data: { orderId, userId, totalCents, currency } };
    }
    if (event.type === 'OrderRejected') {
      return {
        type: 'order.rejected',
        data: { orderId, userId, reason: event.data.reason, totalCents, currency },
      };
    }
    return {
      type: 'order.placed',
      data: {
        orderId,
        userId,
        // Named fields only: the contract's line has no product name.
        items: event.data.items.map(({ sku, quantity, unitPriceCents }) => ({
          sku,
          quantity,
          unitPriceCents,
        })),
        totalCents,
        currency,
      },
    };
  });
}
