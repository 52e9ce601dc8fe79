import type { Logger } from 'pino';
import type { DeliveryLog } from '../adapters/delivery-log.ts';
import type { Mailer } from '../adapters/mailer.ts';
import type { EmailMessage } from '../domain/email-message.ts';

export interface Notifier {
  /** Sends (or records) one email for one event and logs the delivery. */
  notify(input: {
    eventId: string;
    kind: string;
    to: string;
    message: EmailMessage;
    logger: Logger;
  }): Promise<void>;
}

/**
 * The one pipeline every email goes through: send, then write the delivery log. The
 * consumer's inbox makes the whole of it happen once per event.
 */
export function createNotifier(deps: {
  mailer: Mailer;
  log: DeliveryLog;
  keepBodies: boolean;
  now: () => Date;
}): Notifier {
  return {
    async notify({ eventId, kind, to, message, logger }) {
      const result = await deps.mailer.send(to, message);
      await deps.log.record({
        eventId,
        kind,
        to,
        subject: message.subject,
        ...(deps.keepBodies ? { text: message.text, html: message.html } : {}),
        status: result.status,
        ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
        createdAt: deps.now().toISOString(),
      });
      logger.info({ kind, status: result.status }, 'email delivered');
    },
  };
}
