import type { Mailer } from '../domain/mailer.ts';

/**
 * The mailer while sending is off: reports the message as recorded and sends nothing, so
 * local runs and tests need no mail server (the dev mailbox shows what would have gone).
 */
export function createRecordOnlyMailer(): Mailer {
  return {
    async send() {
      return { status: 'recorded' };
    },
  };
}
