import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { address, type EmailHarness, mailbox, startEmail } from '../helper.ts';

describeWithBackends('order.rejected', () => {
  let h: EmailHarness;
  beforeAll(async () => {
    h = await startEmail();
    return () => h.close();
  });

  it('tells a known user why their order was rejected', async () => {
    const userId = randomUUID();
    const to = `${userId}@example.com`;
    const signedUp = createEvent('user.signed-up', {
      userId,
      email: to,
      name: 'Grace',
      billingAddress: address,
    });
    await h.publisher.publish(signedUp);
    await h.spy.waitFor({ id: signedUp.id, outcome: 'handled' }, { timeoutMs: 15_000 });

    const rejected = createEvent('order.rejected', {
      orderId: randomUUID(),
      userId,
      reason: 'INSUFFICIENT_CREDIT',
      totalCents: 250_000,
      currency: 'EUR',
    });
    await h.publisher.publish(rejected);
    await h.spy.waitFor({ id: rejected.id, outcome: 'handled' }, { timeoutMs: 15_000 });

    const messages = await mailbox(h.app, to);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      kind: 'order-rejected',
      subject: 'Your order could not be placed',
      status: 'recorded',
    });
    expect(messages[0]?.text).toContain('Hello Grace,');
    expect(messages[0]?.text).toContain('the order is over your available credit');
  });
});
