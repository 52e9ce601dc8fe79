import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailMessage } from '../domain/email-message.ts';

export interface SendResult {
  readonly status: 'sent' | 'recorded';
  readonly providerMessageId?: string;
}

export interface Mailer {
  send(to: string, message: EmailMessage): Promise<SendResult>;
}

/**
 * Sends through SES (v2 API, any endpoint) when sending is on; otherwise only reports
 * the message as recorded, so local runs and tests never need a mail server.
 */
export function createMailer(options: {
  ses: SESv2Client;
  from: string;
  sendingEnabled: boolean;
}): Mailer {
  return {
    async send(to, message) {
      if (!options.sendingEnabled) return { status: 'recorded' };
      const { MessageId } = await options.ses.send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: message.text, Charset: 'UTF-8' },
                Html: { Data: message.html, Charset: 'UTF-8' },
              },
            },
          },
        }),
      );
      return { status: 'sent', ...(MessageId ? { providerMessageId: MessageId } : {}) };
    },
  };
}
