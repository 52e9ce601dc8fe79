import { retryLater } from '@storekeeper/messaging/retry-later';
import type { Delivery, DeliveryStore } from './delivery-store.ts';
import type { EmailMessage } from './email-message.ts';
import type { Mailer } from './mailer.ts';
import type { Recipient, RecipientDirectory } from './recipient-directory.ts';

export interface NotifierDeps {
  readonly mailer: Mailer;
  readonly deliveries: DeliveryStore;
  readonly recipients: RecipientDirectory;
  /** Keep text and HTML with the delivery (the dev mailbox shows them); never in production. */
  readonly keepBodies: boolean;
  readonly now: () => Date;
}

/** One email for one event. */
export interface Notification {
  /** The event's id: it identifies the delivery, so a redelivered event is the same one. */
  readonly eventId: string;
  /** What the email is about (`order-confirmed`), for the mailbox and the logs. */
  readonly kind: string;
}

export interface Notifier {
  /** Remembers where a user's emails go, for the notifications that name only the user. */
  learnRecipient(recipient: Recipient): Promise<void>;
  /** Emails an address the event carries itself. */
  notifyAddress(
    notification: Notification & { readonly to: string; readonly message: EmailMessage },
  ): Promise<Delivery>;
  /**
   * Emails a known user, rendered with what is known of them. Until the user is known
   * (user.signed-up still on its way) it sends nothing and throws `retryLater`: not a
   * failure, the event comes back after the consumer's backoff.
   */
  notifyUser(
    notification: Notification & {
      readonly userId: string;
      readonly render: (recipient: Recipient) => EmailMessage;
    },
  ): Promise<Delivery>;
}

/**
 * The one pipeline every email goes through: send, then record the delivery. The
 * consumer's inbox makes the whole of it happen once per event; a send that fails records
 * nothing, so the redelivery sends again.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  async function deliver(
    { eventId, kind }: Notification,
    to: string,
    message: EmailMessage,
  ): Promise<Delivery> {
    const result = await deps.mailer.send(to, message);
    const delivery: Delivery = {
      eventId,
      kind,
      to,
      subject: message.subject,
      ...(deps.keepBodies ? { text: message.text, html: message.html } : {}),
      status: result.status,
      ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
      createdAt: deps.now().toISOString(),
    };
    await deps.deliveries.record(delivery);
    return delivery;
  }

  return {
    learnRecipient: (recipient) => deps.recipients.save(recipient),

    notifyAddress: (notification) => deliver(notification, notification.to, notification.message),

    async notifyUser(notification) {
      const recipient = await deps.recipients.find(notification.userId);
      if (!recipient) throw retryLater(`no recipient known for user ${notification.userId} yet`);
      return deliver(notification, recipient.email, notification.render(recipient));
    },
  };
}
