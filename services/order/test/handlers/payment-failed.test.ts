import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { buildOrderTestApp, type OrderTestApp, orderOf, outboxOf } from '../helper.ts';

describeWithBackends('payment.failed', () => {
  let t: OrderTestApp;
  beforeAll(async () => {
    t = await buildOrderTestApp();
    return () => t.close();
  });

  async function placed() {
    const userId = t.users.addUser();
    const order = (await t.placeOrder(userId, orderOf(['DESK-STANDING', 1]))).json();
    const base = { orderId: order.id, userId, amountCents: order.totalCents, currency: 'EUR' };
    return {
      userId,
      order,
      refused: createEvent('payment.failed', { ...base, reason: 'INSUFFICIENT_CREDIT' }),
      paid: createEvent('payment.succeeded', { ...base, chargeId: randomUUID() }),
    };
  }

  it('rejects the order with billing’s reason and announces order.rejected, once', async () => {
    const { userId, order, refused } = await placed();
    expect(await t.deliver(refused)).toBe('processed');
    expect(await t.deliver(refused)).toBe('duplicate');
    expect((await t.get(userId, `/orders/${order.id}`)).json()).toMatchObject({
      status: 'REJECTED',
      reason: 'INSUFFICIENT_CREDIT',
    });
    expect(await outboxOf(t.pool, order.id)).toEqual([
      expect.objectContaining({ type: 'order.placed' }),
      {
        type: 'order.rejected',
        data: {
          orderId: order.id,
          userId,
          reason: 'INSUFFICIENT_CREDIT',
          totalCents: 69_900,
          currency: 'EUR',
        },
      },
    ]);
  });

  it('changes nothing when it arrives after the order was confirmed', async () => {
    const { userId, order, paid, refused } = await placed();
    await t.deliver(paid);
    const before = (await t.get(userId, `/orders/${order.id}`)).body;
    expect(await t.deliver(refused)).toBe('processed');
    expect((await t.get(userId, `/orders/${order.id}`)).body).toBe(before);
    expect((await outboxOf(t.pool, order.id)).map((m) => m.type)).toEqual([
      'order.placed',
      'order.confirmed',
    ]);
  });
});
