import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOrderTestApp, countRows, type OrderTestApp, orderOf, outboxOf } from '../helper.ts';

describeWithBackends('order routes', () => {
  let t: OrderTestApp;
  beforeAll(async () => {
    t = await buildOrderTestApp();
    return () => t.close();
  });

  describe('POST /orders', () => {
    it('places a PENDING order at catalogue prices and announces it as order.placed', async () => {
      const userId = t.users.addUser();
      const response = await t.placeOrder(userId, orderOf(['MUG-BLUE', 2], ['HOODIE-GREY', 1]));
      expect(response.statusCode).toBe(202);
      const order = response.json();
      expect(response.headers.location).toBe(`/api/orders/${order.id}`);
      expect(order).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'PENDING',
        items: [
          {
            sku: 'MUG-BLUE',
            name: 'Blue enamel mug',
            quantity: 2,
            unitPriceCents: 1250,
            lineTotalCents: 2500,
          },
          {
            sku: 'HOODIE-GREY',
            name: 'Grey hoodie',
            quantity: 1,
            unitPriceCents: 5900,
            lineTotalCents: 5900,
          },
        ],
        totalCents: 8400,
        currency: 'EUR',
        placedAt: expect.stringMatching(/Z$/),
        updatedAt: order.placedAt,
        history: [{ status: 'PENDING', at: order.placedAt }],
      });
      expect(await outboxOf(t.pool, order.id)).toEqual([
        {
          type: 'order.placed',
          data: {
            orderId: order.id,
            userId,
            items: [
              { sku: 'MUG-BLUE', quantity: 2, unitPriceCents: 1250 },
              { sku: 'HOODIE-GREY', quantity: 1, unitPriceCents: 5900 },
            ],
            totalCents: 8400,
            currency: 'EUR',
          },
        },
      ]);
    });

    it('answers 400 naming the header when Idempotency-Key is missing', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/orders',
        headers: { authorization: `Bearer ${await t.signToken(t.users.addUser())}` },
        payload: orderOf(['MUG-BLUE', 1]),
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        code: 'INVALID_INPUT',
        errors: [{ in: 'headers', field: 'idempotency-key', message: 'is required' }],
      });
    });

    it('refuses a price sent by the client with 400 naming the field', async () => {
      const userId = t.users.addUser();
      const withPrice = { items: [{ sku: 'MUG-BLUE', quantity: 1, unitPriceCents: 1 }] };
      const response = await t.placeOrder(userId, withPrice);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { in: 'body', field: 'items.0.unitPriceCents', message: 'is not allowed' },
      ]);
      const withTotal = { ...orderOf(['MUG-BLUE', 1]), totalCents: 1 };
      expect((await t.placeOrder(userId, withTotal)).json().errors).toEqual([
        { in: 'body', field: 'totalCents', message: 'is not allowed' },
      ]);
    });

    it('refuses an empty order, a zero or excessive quantity with 400', async () => {
      const userId = t.users.addUser();
      for (const [body, field] of [
        [{ items: [] }, 'items'],
        [orderOf(['MUG-BLUE', 0]), 'items.0.quantity'],
        [orderOf(['MUG-BLUE', 1001]), 'items.0.quantity'],
        [{ items: [{ sku: 'MUG-BLUE', quantity: 1.5 }] }, 'items.0.quantity'],
        [{}, 'items'],
      ] as const) {
        const response = await t.placeOrder(userId, body);
        expect(response.statusCode, JSON.stringify(body)).toBe(400);
        expect(response.json().errors[0].field).toBe(field);
      }
      expect(
        await countRows(t.pool, 'SELECT count(*) FROM orders WHERE user_id = $1', [userId]),
      ).toBe(0);
    });

    it('refuses an unknown sku with 422 UNKNOWN_SKU naming it, creating nothing', async () => {
      const userId = t.users.addUser();
      const response = await t.placeOrder(userId, orderOf(['MUG-BLUE', 1], ['NO-SUCH-THING', 1]));
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ code: 'UNKNOWN_SKU' });
      expect(response.json().detail).toContain('NO-SUCH-THING');
      expect(
        await countRows(t.pool, 'SELECT count(*) FROM idempotency_keys WHERE user_id = $1', [
          userId,
        ]),
      ).toBe(0);
    });

    it('refuses a user whose email is unverified with 403 EMAIL_NOT_VERIFIED, and keeps no key', async () => {
      const userId = t.users.addUser({ emailVerified: false });
      const key = randomUUID();
      const refused = await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]), key);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });
      expect(
        await countRows(t.pool, 'SELECT count(*) FROM orders WHERE user_id = $1', [userId]),
      ).toBe(0);
      // Verified now, the same key works: the refusal was not remembered.
      t.users.verify(userId);
      expect((await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]), key)).statusCode).toBe(202);
    });

    it('answers 401 without a token, and for a token of a user that does not exist', async () => {
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/orders',
        headers: { 'idempotency-key': randomUUID() },
        payload: orderOf(['MUG-BLUE', 1]),
      });
      expect(anonymous.statusCode).toBe(401);
      const ghost = await t.placeOrder(randomUUID(), orderOf(['MUG-BLUE', 1]));
      expect(ghost.statusCode).toBe(401);
      expect(ghost.json()).toMatchObject({ code: 'INVALID_TOKEN' });
      expect((await t.get('not-a-uuid', '/orders')).json()).toMatchObject({
        code: 'INVALID_TOKEN',
      });
    });
  });

  describe('GET /orders and /orders/:id', () => {
    it('lists only the caller’s orders, newest first, as many as asked', async () => {
      const userId = t.users.addUser();
      const ids = [];
      for (const quantity of [1, 2, 3]) {
        // A second apart: the order of the list is not left to the clock's resolution.
        t.clock.shiftMs += 1_000;
        ids.push((await t.placeOrder(userId, orderOf(['STICKER-PACK', quantity]))).json().id);
      }
      await t.placeOrder(t.users.addUser(), orderOf(['STICKER-PACK', 1]));
      const list = await t.get(userId, '/orders');
      expect(list.statusCode).toBe(200);
      expect(list.json().items.map((o: { id: string }) => o.id)).toEqual(ids.reverse());
      expect(list.json().items[0]).toEqual({
        id: ids[0],
        status: 'PENDING',
        itemCount: 3,
        totalCents: 1050,
        currency: 'EUR',
        placedAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await t.get(userId, '/orders?limit=2')).json().items).toHaveLength(2);
      expect((await t.get(userId, '/orders?limit=101')).statusCode).toBe(400);
      expect((await t.get(userId, '/orders?limit=0')).statusCode).toBe(400);
    });

    it('shows an order with its history, each state change with its time', async () => {
      const userId = t.users.addUser();
      const placed = (await t.placeOrder(userId, orderOf(['DESK-STANDING', 1]))).json();
      await t.deliver(
        createEvent('payment.failed', {
          orderId: placed.id,
          userId,
          reason: 'INSUFFICIENT_CREDIT',
          amountCents: placed.totalCents,
          currency: 'EUR',
        }),
      );
      const response = await t.get(userId, `/orders/${placed.id}`);
      expect(response.statusCode).toBe(200);
      const order = response.json();
      expect(order).toMatchObject({
        id: placed.id,
        status: 'REJECTED',
        reason: 'INSUFFICIENT_CREDIT',
      });
      expect(order.history).toEqual([
        { status: 'PENDING', at: placed.placedAt },
        { status: 'REJECTED', at: order.updatedAt, reason: 'INSUFFICIENT_CREDIT' },
      ]);
      expect(Date.parse(order.updatedAt)).toBeGreaterThanOrEqual(Date.parse(placed.placedAt));
    });

    it('answers 404, not 403, for another user’s order, as for one that does not exist', async () => {
      const owner = t.users.addUser();
      const placed = (await t.placeOrder(owner, orderOf(['MUG-BLUE', 1]))).json();
      const foreign = await t.get(t.users.addUser(), `/orders/${placed.id}`);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json()).toMatchObject({ code: 'ORDER_NOT_FOUND' });
      const missing = await t.get(owner, `/orders/${randomUUID()}`);
      expect(missing.statusCode).toBe(404);
      expect((await t.get(owner, '/orders/not-a-uuid')).statusCode).toBe(400);
      expect((await t.app.inject(`/orders/${placed.id}`)).statusCode).toBe(401);
    });
  });
});
