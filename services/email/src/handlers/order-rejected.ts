import type { EventHandler } from '@storekeeper/messaging';
import type { Notifier } from '../domain/notifier.ts';
import { orderRejectedEmail } from '../domain/templates.ts';

/** Tells the user why their order was rejected; retried until user.signed-up has arrived. */
export function handleOrderRejected(notifier: Notifier): EventHandler<'order.rejected', undefined> {
  return async (event, { logger }) => {
    const delivery = await notifier.notifyUser({
      eventId: event.id,
      kind: 'order-rejected',
      userId: event.data.userId,
      render: ({ name }) => orderRejectedEmail({ name, ...event.data }),
    });
    logger.info({ kind: delivery.kind, status: delivery.status }, 'email delivered');
  };
}
