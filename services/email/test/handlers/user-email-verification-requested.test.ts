import { randomUUID } from 'node:crypto';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { type EmailHarness, mailbox, startEmail, verificationRequested } from '../helper.ts';

describeWithBackends('user.email-verification-requested', () => {
  let h: EmailHarness;
  beforeAll(async () => {
    h = await startEmail();
    return () => h.close();
  });

  it('records one verification email with its link, even when the event is published twice', async () => {
    const to = `${randomUUID()}@example.com`;
    const event = verificationRequested(to, 'Ada <script>alert(1)</script>');
    await h.publisher.publish(event);
    await h.publisher.publish(event);
    await h.spy.waitFor({ id: event.id, outcome: 'handled' }, { timeoutMs: 15_000 });
    await h.spy.waitFor({ id: event.id, outcome: 'duplicate' }, { timeoutMs: 15_000 });

    const messages = await mailbox(h.app, to);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message).toMatchObject({
      kind: 'email-verification',
      status: 'recorded',
      subject: 'Verify your email address',
    });
    expect(message?.text).toContain(
      `http://127.0.0.1:8080/verify-email?token=${event.data.verificationToken}`,
    );
    expect(message?.html).toContain('Ada &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message?.html).not.toContain('<script>');
  });
});
