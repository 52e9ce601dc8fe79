import type { EventHandler } from '@storekeeper/messaging';
import type { Notifier } from '../domain/notifier.ts';
import { orderConfirmedEmail } from '../domain/templates.ts';

/** Tells the user their order is confirmed; retried until user.signed-up has arrived. */
export function handleOrderConfirmed(
  notifier: Notifier,
): EventHandler<'order.confirmed', undefined> {
  return async (event, { logger }) => {
    const delivery = await notifier.notifyUser({
      eventId: event.id,
      kind: 'order-confirmed',
      userId: event.data.userId,
      render: ({ name }) => orderConfirmedEmail({ name, ...event.data }),
    });
    logger.info({ kind: delivery.kind, status: delivery.status }, 'email delivered');
  };
}
