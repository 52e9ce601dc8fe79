import { randomUUID } from 'node:crypto';
import { createOutbox } from '@storekeeper/messaging';
import { withTransaction } from '@storekeeper/platform';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createPostgresOrderStore } from '../../src/adapters/postgres-order-store.ts';
import { confirm, evolve, type Order, placeOrder, reject, replay } from '../../src/domain/order.ts';
import { messagesFor } from '../../src/domain/order-messages.ts';
import { VersionConflictError } from '../../src/domain/order-store.ts';
import { countRows, createOrderTestDatabase, type OrderTestDatabase, outboxOf } from '../helper.ts';

const store = createPostgresOrderStore(createOutbox());
const mug = { sku: 'MUG-BLUE', name: 'Blue enamel mug', quantity: 2, unitPriceCents: 1250 };

describeWithBackends('the PostgreSQL order store', () => {
  let t: OrderTestDatabase;
  beforeAll(async () => {
    t = await createOrderTestDatabase();
    return () => t.close();
  });

  async function placed(userId = randomUUID(), at = new Date()): Promise<Order> {
    const events = placeOrder({ orderId: randomUUID(), userId, items: [mug], currency: 'EUR', at });
    const order = replay(events) as Order;
    await withTransaction(t.pool, (tx) =>
      store.append(tx, { events, order, messages: messagesFor(order, events) }),
    );
    return order;
  }

  it('appends the events, projects the order and writes its messages in one go', async () => {
    const order = await placed();
    expect(await store.loadEvents(t.pool, order.id)).toEqual([
      expect.objectContaining({ type: 'OrderPlaced', orderId: order.id, version: 1 }),
    ]);
    expect(await store.findOrder(t.pool, order.userId, order.id)).toEqual(order);
    expect((await outboxOf(t.pool, order.id)).map((m) => m.type)).toEqual(['order.placed']);
  });

  it('refuses an append at a version that exists, leaving the transaction usable', async () => {
    const order = await placed();
    const confirmed = confirm(order, { chargeId: randomUUID(), at: new Date() });
    const rejected = reject(order, { reason: 'INSUFFICIENT_CREDIT', at: new Date() });
    const change = (events: typeof confirmed) => {
      const next = events.reduce(evolve, order);
      return { events, order: next, messages: messagesFor(next, events) };
    };
    await withTransaction(t.pool, (tx) => store.append(tx, change(confirmed)));

    await withTransaction(t.pool, async (tx) => {
      const conflict = await store.append(tx, change(rejected)).catch((error: unknown) => error);
      expect(conflict).toBeInstanceOf(VersionConflictError);
      // Still usable: the caller can read the newer state and decide again.
      const current = replay(await store.loadEvents(tx, order.id));
      expect(current?.status).toBe('CONFIRMED');
    });
    expect((await store.findOrder(t.pool, order.userId, order.id))?.status).toBe('CONFIRMED');
    expect((await outboxOf(t.pool, order.id)).map((m) => m.type)).toEqual([
      'order.placed',
      'order.confirmed',
    ]);
  });

  it('refuses a second new stream under an order id, writing nothing of it', async () => {
    // A new stream is appended without a savepoint: nothing else can be deciding on an
    // order that does not exist yet, so a clash fails the whole placement.
    const order = await placed();
    const events = placeOrder({
      orderId: order.id,
      userId: randomUUID(),
      items: [mug],
      currency: 'EUR',
      at: new Date(),
    });
    const clash = replay(events) as Order;
    const refused = await withTransaction(t.pool, (tx) =>
      store.append(tx, { events, order: clash, messages: messagesFor(clash, events) }),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(VersionConflictError);
    expect(await store.findOrder(t.pool, order.userId, order.id)).toEqual(order);
    expect((await outboxOf(t.pool, order.id)).map((m) => m.type)).toEqual(['order.placed']);
  });

  it('reads a stream up to a version', async () => {
    const order = await placed();
    const events = confirm(order, { chargeId: randomUUID(), at: new Date() });
    const next = events.reduce(evolve, order);
    await withTransaction(t.pool, (tx) =>
      store.append(tx, { events, order: next, messages: messagesFor(next, events) }),
    );
    expect((await store.loadEvents(t.pool, order.id)).map((e) => e.version)).toEqual([1, 2]);
    expect((await store.loadEvents(t.pool, order.id, 1)).map((e) => e.version)).toEqual([1]);
    expect(await store.loadEvents(t.pool, randomUUID())).toEqual([]);
  });

  it('finds an order for its owner only, and lists an owner’s orders newest first', async () => {
    const userId = randomUUID();
    const base = Date.now();
    const orders = [];
    for (let i = 0; i < 3; i++) orders.push(await placed(userId, new Date(base + i * 1000)));
    const [first] = orders as [Order];
    expect(await store.findOrder(t.pool, randomUUID(), first.id)).toBeUndefined();
    expect((await store.listOrders(t.pool, userId, 10)).map((o) => o.id)).toEqual(
      orders.map((o) => o.id).reverse(),
    );
    expect(await store.listOrders(t.pool, userId, 2)).toHaveLength(2);
    expect(await store.listOrders(t.pool, randomUUID(), 10)).toEqual([]);
  });

  it('serves the catalogue cheapest first, in more than one price range, and finds by sku', async () => {
    const products = await store.listProducts(t.pool);
    expect(products.length).toBeGreaterThanOrEqual(6);
    const prices = products.map((p) => p.priceCents);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(Math.max(...prices)).toBeGreaterThan(100 * Math.min(...prices));
    expect(new Set(products.map((p) => p.currency))).toEqual(new Set(['EUR']));
    expect(await store.findProducts(t.pool, ['MUG-BLUE', 'NOPE'])).toEqual([
      { sku: 'MUG-BLUE', name: 'Blue enamel mug', priceCents: 1250, currency: 'EUR' },
    ]);
    expect(await countRows(t.pool, 'SELECT count(*) FROM products')).toBe(products.length);
  });
});
