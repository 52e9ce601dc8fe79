import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import type { PostgresPool } from '@storekeeper/platform';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { rebuildOrdersReadModel } from '../../src/adapters/order-projection.ts';
import { buildOrderTestApp, type OrderTestApp, orderOf } from '../helper.ts';

/** The whole read model, in a stable order, as text: equal means equal to the byte. */
async function readModel(pool: PostgresPool) {
  const { rows } = await pool.query('SELECT * FROM orders ORDER BY id');
  return JSON.stringify(rows);
}

describeWithBackends('the order read model', () => {
  let t: OrderTestApp;
  beforeAll(async () => {
    t = await buildOrderTestApp();
    return () => t.close();
  });

  it('is rebuilt from the events exactly as the live projection wrote it', async () => {
    // Orders in every state, of two users, through the API and the payment events.
    for (const userId of [t.users.addUser(), t.users.addUser()]) {
      for (const outcome of ['confirm', 'reject', 'pending'] as const) {
        const placed = (
          await t.placeOrder(userId, orderOf(['MUG-BLUE', 2], ['TSHIRT-LOGO', 1]))
        ).json();
        const base = {
          orderId: placed.id,
          userId,
          amountCents: placed.totalCents,
          currency: 'EUR',
        };
        if (outcome === 'confirm') {
          await t.deliver(createEvent('payment.succeeded', { ...base, chargeId: randomUUID() }));
        }
        if (outcome === 'reject') {
          await t.deliver(
            createEvent('payment.failed', { ...base, reason: 'INSUFFICIENT_CREDIT' }),
          );
        }
      }
    }
    const live = await readModel(t.pool);
    const statuses = JSON.parse(live).map((row: { status: string }) => row.status);
    expect(statuses.sort()).toEqual([
      'CONFIRMED',
      'CONFIRMED',
      'PENDING',
      'PENDING',
      'REJECTED',
      'REJECTED',
    ]);

    expect(await rebuildOrdersReadModel(t.pool)).toBe(6);
    expect(await readModel(t.pool)).toBe(live);

    // And it repairs a read model that went wrong.
    await t.pool.query(
      `UPDATE orders SET status = 'PENDING', reason = NULL WHERE status <> 'PENDING'`,
    );
    await t.pool.query('DELETE FROM orders WHERE id IN (SELECT id FROM orders LIMIT 1)');
    await t.pool.query(`INSERT INTO orders SELECT gen_random_uuid(), user_id, status, items, total_cents,
      currency, reason, placed_at, updated_at, version FROM orders LIMIT 1`);
    expect(await readModel(t.pool)).not.toBe(live);
    await rebuildOrdersReadModel(t.pool);
    expect(await readModel(t.pool)).toBe(live);
  });
});
