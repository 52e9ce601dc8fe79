import { randomUUID } from 'node:crypto';
import { createEvent, createOutbox, RetryLaterError } from '@storekeeper/messaging';
import { describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createPostgresOrderStore } from '../../src/adapters/postgres-order-store.ts';
import { evolve, type Order, reject, replay } from '../../src/domain/order.ts';
import { messagesFor } from '../../src/domain/order-messages.ts';
import { buildOrderTestApp, countRows, type OrderTestApp, orderOf, outboxOf } from '../helper.ts';

const store = createPostgresOrderStore(createOutbox());

describeWithBackends('payment.succeeded', () => {
  let t: OrderTestApp;
  beforeAll(async () => {
    t = await buildOrderTestApp();
    return () => t.close();
  });

  async function placed() {
    const userId = t.users.addUser();
    const order = (await t.placeOrder(userId, orderOf(['MUG-BLUE', 2]))).json();
    const paid = createEvent('payment.succeeded', {
      orderId: order.id,
      userId,
      chargeId: randomUUID(),
      amountCents: order.totalCents,
      currency: 'EUR',
    });
    return { userId, order, paid };
  }

  it('confirms the order and announces order.confirmed, once however often it arrives', async () => {
    const { userId, order, paid } = await placed();
    expect(await t.deliver(paid)).toBe('processed');
    expect(await t.deliver(paid)).toBe('duplicate');
    const shown = (await t.get(userId, `/orders/${order.id}`)).json();
    expect(shown.status).toBe('CONFIRMED');
    expect(shown.history.map((h: { status: string }) => h.status)).toEqual([
      'PENDING',
      'CONFIRMED',
    ]);
    expect(await outboxOf(t.pool, order.id)).toEqual([
      expect.objectContaining({ type: 'order.placed' }),
      {
        type: 'order.confirmed',
        data: { orderId: order.id, userId, totalCents: 2500, currency: 'EUR' },
      },
    ]);
    expect(
      await countRows(t.pool, 'SELECT count(*) FROM order_events WHERE order_id = $1', [order.id]),
    ).toBe(2);
  });

  it('ignores a second payment event for a confirmed order (another event id, same order)', async () => {
    const { order, paid } = await placed();
    await t.deliver(paid);
    const again = createEvent('payment.succeeded', { ...paid.data, chargeId: randomUUID() });
    expect(await t.deliver(again)).toBe('processed');
    expect((await outboxOf(t.pool, order.id)).map((m) => m.type)).toEqual([
      'order.placed',
      'order.confirmed',
    ]);
  });

  it('decides again when another writer appended first, and then changes nothing', async () => {
    const { userId, order, paid } = await placed();
    // Another writer rejects the order and holds its transaction open...
    const writer = await t.pool.connect();
    try {
      await writer.query('BEGIN');
      const current = replay(await store.loadEvents(writer, order.id)) as Order;
      const events = reject(current, { reason: 'INSUFFICIENT_CREDIT', at: new Date() });
      const rejected = events.reduce(evolve, current);
      await store.append(writer, {
        events,
        order: rejected,
        messages: messagesFor(rejected, events),
      });
      // ...while the payment decides on version 1 and waits to append version 2.
      const delivery = t.deliver(paid);
      await waitFor(
        async () =>
          (await countRows(
            t.pool,
            `SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )) === 1,
        { description: 'the payment’s append waiting on the other writer' },
      );
      await writer.query('COMMIT');
      expect(await delivery).toBe('processed');
    } finally {
      writer.release();
    }
    expect((await t.get(userId, `/orders/${order.id}`)).json()).toMatchObject({
      status: 'REJECTED',
      history: [{ status: 'PENDING' }, { status: 'REJECTED' }],
    });
    expect((await outboxOf(t.pool, order.id)).map((m) => m.type)).toEqual([
      'order.placed',
      'order.rejected',
    ]);
  });

  it('sends an event for an order it does not know back to the queue, leaving no trace', async () => {
    const stray = createEvent('payment.succeeded', {
      orderId: randomUUID(),
      userId: randomUUID(),
      chargeId: randomUUID(),
      amountCents: 100,
      currency: 'EUR',
    });
    await expect(t.deliver(stray)).rejects.toBeInstanceOf(RetryLaterError);
    expect(
      await countRows(t.pool, 'SELECT count(*) FROM inbox WHERE event_id = $1', [stray.id]),
    ).toBe(0);
  });
});
