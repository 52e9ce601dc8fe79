import { randomUUID } from 'node:crypto';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSesMailer } from '../../src/adapters/ses-mailer.ts';
import { awsBackends, mailbox, startEmail, verificationRequested } from '../helper.ts';

const from = 'no-reply@storekeeper.example';

describeWithBackends('email sending through SES', () => {
  const { region, credentials, sesEndpoint } = awsBackends();
  // Embedded mode has no SES emulator (fauxqs and dynalite do not speak it); moto and
  // LocalStack do, so CI (external mode) runs this.
  describe.skipIf(!sesEndpoint)(
    `[needs an SES endpoint: ${sesEndpoint ? 'present' : 'none in this mode, skipped'}]`,
    () => {
      let ses: SESv2Client;
      beforeAll(async () => {
        ses = new SESv2Client({ region, credentials, endpoint: sesEndpoint });
        await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: from }));
        return () => ses.destroy();
      });

      it('hands the message to SES and answers with the provider message id', async () => {
        const result = await createSesMailer({ ses, from }).send(`${randomUUID()}@example.com`, {
          subject: 'Hello',
          text: 'Hi',
          html: '<p>Hi</p>',
        });
        expect(result.status).toBe('sent');
        expect(result.providerMessageId).toEqual(expect.any(String));
      });

      it('sends the email through SES and records the provider message id', async () => {
        const h = await startEmail({ EMAIL_SENDING_ENABLED: 'true', EMAIL_FROM: from });
        try {
          const to = `${randomUUID()}@example.com`;
          const event = verificationRequested(to);
          await h.publisher.publish(event);
          await h.spy.waitFor({ id: event.id, outcome: 'handled' }, { timeoutMs: 15_000 });
          const [message] = await mailbox(h.app, to);
          expect(message?.status).toBe('sent');
        } finally {
          await h.close();
        }
      });
    },
  );
});
