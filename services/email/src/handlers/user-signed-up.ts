import type { EventHandler } from '@storekeeper/messaging';
import type { Notifier } from '../domain/notifier.ts';

/** Sends nothing: remembers the user's address and name for the order emails to come. */
export function handleUserSignedUp(notifier: Notifier): EventHandler<'user.signed-up', undefined> {
  return async (event) => {
    const { userId, email, name } = event.data;
    await notifier.learnRecipient({ userId, email, name });
  };
}
