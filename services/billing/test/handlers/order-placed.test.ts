import { randomUUID } from 'node:crypto';
import { createEvent, RetryLaterError } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import {
  availableCents,
  type BillingTestApp,
  buildBillingTestApp,
  paymentEvents,
} from '../helper.ts';

describeWithBackends('order.placed', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await buildBillingTestApp();
    return () => t.close();
  });

  const placed = (userId: string, totalCents: number) =>
    createEvent('order.placed', {
      orderId: randomUUID(),
      userId,
      items: [{ sku: 'MUG-BLUE', quantity: 1, unitPriceCents: totalCents }],
      totalCents,
      currency: 'EUR',
    });

  it('charges within the credit and publishes payment.succeeded with the charge', async () => {
    const userId = await t.openAccount();
    const event = placed(userId, 4_000);
    await t.deliver(event);
    const events = await paymentEvents(t.pool, event.data.orderId);
    expect(events.map((e) => e.event_type)).toEqual(['payment.succeeded']);
    const { rows } = await t.pool.query<{ id: string }>(
      'SELECT id FROM charges WHERE order_id = $1',
      [event.data.orderId],
    );
    expect(events[0]?.event.data).toMatchObject({ chargeId: rows[0]?.id, amountCents: 4_000 });
    const account = (await t.getAccount(userId)).json();
    expect(account.availableCents).toBe(6_000);
    expect(account.recentCharges).toEqual([
      expect.objectContaining({
        orderId: event.data.orderId,
        amountCents: 4_000,
        currency: 'EUR',
      }),
    ]);
  });

  it('refuses an order over the available credit with INSUFFICIENT_CREDIT and charges nothing', async () => {
    const userId = await t.openAccount();
    const event = placed(userId, 10_001);
    await t.deliver(event);
    const events = await paymentEvents(t.pool, event.data.orderId);
    expect(events.map((e) => [e.event_type, e.event.data.reason])).toEqual([
      ['payment.failed', 'INSUFFICIENT_CREDIT'],
    ]);
    expect(await availableCents(t.pool, userId)).toBe(10_000);
  });

  it('charges a redelivered order once', async () => {
    const userId = await t.openAccount();
    const event = placed(userId, 1_000);
    expect(await t.deliver(event)).toBe('processed');
    expect(await t.deliver(event)).toBe('duplicate');
    expect(await availableCents(t.pool, userId)).toBe(9_000);
    expect(await paymentEvents(t.pool, event.data.orderId)).toHaveLength(1);
  });

  it('defers (to come back) when the account is not open yet, leaving no trace', async () => {
    const event = placed(randomUUID(), 100);
    await expect(t.deliver(event)).rejects.toBeInstanceOf(RetryLaterError);
    expect(await paymentEvents(t.pool, event.data.orderId)).toHaveLength(0);
    const inbox = await t.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [event.id]);
    expect(inbox.rowCount).toBe(0);
  });

  it('never overspends when one user’s orders are charged at the same time', async () => {
    const userId = await t.openAccount();
    // 5 × 3,000 against 10,000: exactly three fit, whatever order they are decided in.
    const orders = Array.from({ length: 5 }, () => placed(userId, 3_000));
    await Promise.all(orders.map((order) => t.deliver(order)));
    const outcomes = await Promise.all(
      orders.map(async (order) => (await paymentEvents(t.pool, order.data.orderId))[0]?.event_type),
    );
    expect(outcomes.filter((type) => type === 'payment.succeeded')).toHaveLength(3);
    expect(outcomes.filter((type) => type === 'payment.failed')).toHaveLength(2);
    expect(await availableCents(t.pool, userId)).toBe(1_000);
    const { rows } = await t.pool.query<{ total: string }>(
      'SELECT sum(amount_cents) AS total FROM charges WHERE user_id = $1',
      [userId],
    );
    expect(Number(rows[0]?.total)).toBe(9_000);
  });
});
