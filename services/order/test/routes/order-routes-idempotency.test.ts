import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOrderTestApp, countRows, type OrderTestApp, orderOf } from '../helper.ts';

const ordersOf = (t: OrderTestApp, userId: string) =>
  countRows(t.pool, 'SELECT count(*) FROM orders WHERE user_id = $1', [userId]);
const keysOf = (t: OrderTestApp, userId: string) =>
  countRows(t.pool, 'SELECT count(*) FROM idempotency_keys WHERE user_id = $1', [userId]);

describeWithBackends('POST /orders with an Idempotency-Key', () => {
  let t: OrderTestApp;
  beforeAll(async () => {
    t = await buildOrderTestApp();
    return () => t.close();
  });

  it('answers a retry with the same key and body with the first response, placing one order', async () => {
    const userId = t.users.addUser();
    const key = randomUUID();
    const first = await t.placeOrder(userId, orderOf(['MUG-BLUE', 2], ['TSHIRT-LOGO', 1]), key);
    expect(first.statusCode).toBe(202);
    // The order moves on; the replay is still the response the client missed.
    await t.deliver(
      createEvent('payment.succeeded', {
        orderId: first.json().id,
        userId,
        chargeId: randomUUID(),
        amountCents: first.json().totalCents,
        currency: 'EUR',
      }),
    );
    // Same body, keys in another order: the same request.
    const sameBody = {
      items: [
        { quantity: 2, sku: 'MUG-BLUE' },
        { quantity: 1, sku: 'TSHIRT-LOGO' },
      ],
    };
    const retry = await t.placeOrder(userId, sameBody, `"${key}"`);
    expect(retry.statusCode).toBe(202);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers.location).toBe(first.headers.location);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersOf(t, userId)).toBe(1);
  });

  it('refuses the same key with another body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const userId = t.users.addUser();
    const key = randomUUID();
    expect((await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]), key)).statusCode).toBe(202);
    const reused = await t.placeOrder(userId, orderOf(['MUG-BLUE', 2]), key);
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await ordersOf(t, userId)).toBe(1);
  });

  it('keeps keys per user: another user’s identical key places its own order', async () => {
    const key = randomUUID();
    const a = await t.placeOrder(t.users.addUser(), orderOf(['MUG-BLUE', 1]), key);
    const b = await t.placeOrder(t.users.addUser(), orderOf(['MUG-BLUE', 1]), key);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(b.json().id).not.toBe(a.json().id);
  });

  it('answers 409 IDEMPOTENCY_KEY_IN_FLIGHT while the first request runs, then the first response', async () => {
    const userId = t.users.addUser();
    const key = randomUUID();
    const release = t.users.hold();
    const calls = t.users.calls;
    const first = t.placeOrder(userId, orderOf(['HOODIE-GREY', 1]), key);
    try {
      await waitFor(() => t.users.calls > calls, {
        description: 'the first request at the user service',
      });
      const concurrent = await t.placeOrder(userId, orderOf(['HOODIE-GREY', 1]), key);
      expect(concurrent.statusCode).toBe(409);
      expect(concurrent.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
      const otherBody = await t.placeOrder(userId, orderOf(['HOODIE-GREY', 2]), key);
      expect(otherBody.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    } finally {
      release();
    }
    const placed = await first;
    expect(placed.statusCode).toBe(202);
    const later = await t.placeOrder(userId, orderOf(['HOODIE-GREY', 1]), key);
    expect(later.body).toBe(placed.body);
    expect(await ordersOf(t, userId)).toBe(1);
  });

  it('places exactly one order for 20 identical requests at once', async () => {
    const userId = t.users.addUser();
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => t.placeOrder(userId, orderOf(['BACKPACK-DAY', 1]), key)),
    );
    const accepted = responses.filter((r) => r.statusCode === 202);
    const conflicts = responses.filter((r) => r.statusCode === 409);
    expect(accepted.length + conflicts.length).toBe(20);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((r) => r.body)).size).toBe(1);
    for (const r of conflicts) expect(r.json().code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
    const orderId = accepted[0]?.json().id;
    expect(await ordersOf(t, userId)).toBe(1);
    expect(
      await countRows(t.pool, 'SELECT count(*) FROM order_events WHERE order_id = $1', [orderId]),
    ).toBe(1);
    expect(
      await countRows(t.pool, `SELECT count(*) FROM outbox WHERE event->'data'->>'userId' = $1`, [
        userId,
      ]),
    ).toBe(1);
  });

  it('remembers a key for its time only: once expired, the key places a new order', async () => {
    const userId = t.users.addUser();
    const key = randomUUID();
    const first = await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]), key);
    t.clock.shiftMs += 24 * 3_600_000 + 1_000;
    const afterExpiry = await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]), key);
    expect(afterExpiry.statusCode).toBe(202);
    expect(afterExpiry.json().id).not.toBe(first.json().id);
    expect(afterExpiry.headers['idempotent-replayed']).toBeUndefined();
  });

  describe('when the user service cannot answer', () => {
    it('answers 503 with Retry-After at once, creates nothing, and the key works after', async () => {
      const userId = t.users.addUser();
      const key = randomUUID();
      await t.users.stop();
      try {
        const startedAt = Date.now();
        const response = await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]), key);
        expect(Date.now() - startedAt).toBeLessThan(2_000);
        expect(response.statusCode).toBe(503);
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
        expect(await ordersOf(t, userId)).toBe(0);
        expect(await keysOf(t, userId)).toBe(0);
      } finally {
        await t.users.start();
      }
      expect((await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]), key)).statusCode).toBe(202);
    });

    it('answers 503 when it fails, creating nothing', async () => {
      const userId = t.users.addUser();
      t.users.failWith(500);
      try {
        const response = await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]));
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toBeDefined();
      } finally {
        t.users.failWith(undefined);
      }
      expect(await ordersOf(t, userId)).toBe(0);
      expect(await keysOf(t, userId)).toBe(0);
    });

    it('fails fast without calling it while the circuit breaker is open', async () => {
      const isolated = await buildOrderTestApp({
        breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
      });
      try {
        const userId = isolated.users.addUser();
        await isolated.users.stop();
        for (let i = 0; i < 2; i++) {
          expect((await isolated.placeOrder(userId, orderOf(['MUG-BLUE', 1]))).statusCode).toBe(
            503,
          );
        }
        expect(isolated.userService.breakerState()).toBe('open');
        await isolated.users.start();
        const calls = isolated.users.calls;
        const response = await isolated.placeOrder(userId, orderOf(['MUG-BLUE', 1]));
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toBe('60');
        expect(isolated.users.calls).toBe(calls);
        expect(await ordersOf(isolated, userId)).toBe(0);
        expect(await keysOf(isolated, userId)).toBe(0);
      } finally {
        await isolated.close();
      }
    });
  });
});
