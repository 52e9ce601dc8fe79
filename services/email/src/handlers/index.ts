import type { EventHandlers } from '@storekeeper/messaging';
import type { DeliveryLog } from '../adapters/delivery-log.ts';
import { orderConfirmedEmail, orderRejectedEmail, verificationEmail } from '../domain/templates.ts';
import type { Notifier } from './notify.ts';

export interface EmailHandlerDeps {
  readonly log: DeliveryLog;
  readonly notifier: Notifier;
  /** Where the verification link points: the web app's page that posts the token. */
  readonly verifyEmailUrl: string;
}

/** A recipient we have not heard of yet: user.signed-up is still on its way. Retried later. */
export class UnknownRecipientError extends Error {
  constructor(userId: string) {
    super(`no recipient known for user ${userId} yet`);
    this.name = 'UnknownRecipientError';
  }
}

/** Every event type the email queue receives, and what it sends. */
export function emailHandlers(deps: EmailHandlerDeps): EventHandlers<'email', undefined> {
  const recipient = async (userId: string) => {
    const found = await deps.log.findRecipient(userId);
    if (!found) throw new UnknownRecipientError(userId);
    return found;
  };
  return {
    'user.signed-up': async (event) => {
      const { userId, email, name } = event.data;
      await deps.log.saveRecipient({ userId, email, name });
    },

    'user.email-verification-requested': async (event, { logger }) => {
      const { email, name, verificationToken, expiresAt } = event.data;
      const link = `${deps.verifyEmailUrl}?token=${encodeURIComponent(verificationToken)}`;
      await deps.notifier.notify({
        eventId: event.id,
        kind: 'email-verification',
        to: email,
        message: verificationEmail({
          name,
          link,
          token: verificationToken,
          expiresAt: new Date(expiresAt),
        }),
        logger,
      });
    },

    'order.confirmed': async (event, { logger }) => {
      const user = await recipient(event.data.userId);
      await deps.notifier.notify({
        eventId: event.id,
        kind: 'order-confirmed',
        to: user.email,
        message: orderConfirmedEmail({ name: user.name, ...event.data }),
        logger,
      });
    },

    'order.rejected': async (event, { logger }) => {
      const user = await recipient(event.data.userId);
      await deps.notifier.notify({
        eventId: event.id,
        kind: 'order-rejected',
        to: user.email,
        message: orderRejectedEmail({ name: user.name, ...event.data }),
        logger,
      });
    },
  };
}
