import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../domain/mailer.ts';

/** Sends through SES (v2 API, any endpoint: AWS, LocalStack, moto). */
export function createSesMailer(options: { ses: SESv2Client; from: string }): Mailer {
  return {
    async send(to, message) {
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
