import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { address, type EmailHarness, mailbox, startEmail } from '../helper.ts';

describeWithBackends('order.confirmed', () => {
  let h: EmailHarness;
  beforeAll(async () => {
    h = await startEmail();
    return () => h.close();
  });

  it('notifies about an order once the recipient is known, deferring it until then', async () => {
    const userId = randomUUID();
    const to = `${userId}@example.com`;
    const confirmed = createEvent('order.confirmed', {
      orderId: randomUUID(),
      userId,
      totalCents: 2_500,
      currency: 'EUR',
    });
    await h.publisher.publish(confirmed);
    await h.spy.waitFor({ id: confirmed.id, outcome: 'deferred' }, { timeoutMs: 15_000 });

    const signedUp = createEvent('user.signed-up', {
      userId,
      email: to,
      name: 'Grace',
      billingAddress: address,
    });
    await h.publisher.publish(signedUp);
    await h.spy.waitFor({ id: confirmed.id, outcome: 'handled' }, { timeoutMs: 20_000 });
    const [message] = await mailbox(h.app, to);
    expect(message).toMatchObject({ kind: 'order-confirmed', subject: 'Your order is confirmed' });
    expect(message?.text).toContain('€25.00');
  });
});
