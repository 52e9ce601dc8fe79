import type { EventHandlers } from '@storekeeper/messaging';
import type { Logger } from 'pino';
import type { DeliveryLog } from '../adapters/delivery-log.ts';
import type { EmailMessage } from '../domain/email-message.ts';
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
  /** Emails a known user about one event; fails (and is retried) until the user is known. */
  const notifyUser = async (
    event: { id: string; data: { userId: string } },
    kind: string,
    render: (name: string) => EmailMessage,
    logger: Logger,
  ) => {
    const user = await deps.log.findRecipient(event.data.userId);
    if (!user) throw new UnknownRecipientError(event.data.userId);
    await deps.notifier.notify({
      eventId: event.id,
      kind,
      to: user.email,
      message: render(user.name),
      logger,
    });
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

    'order.confirmed': (event, { logger }) =>
      notifyUser(
        event,
        'order-confirmed',
        (name) => orderConfirmedEmail({ name, ...event.data }),
        logger,
      ),

    'order.rejected': (event, { logger }) =>
      notifyUser(
        event,
        'order-rejected',
        (name) => orderRejectedEmail({ name, ...event.data }),
        logger,
      ),
  };
}
