import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { CloudEvent } from '@storekeeper/contracts';
import { describeWithBackends, requireBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { type ApiClient, createApiClient, type MailboxMessage } from '../src/api-client.ts';
import { publisherFor, query } from '../src/backdoor.ts';
import { type SystemUnderTest, startSystem } from '../src/start-system.ts';
import { verifiedCustomer } from '../src/verified-customer.ts';

interface Product {
  sku: string;
  priceCents: number;
}
interface Order {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'REJECTED';
  totalCents: number;
  reason?: string;
  history: { status: string; at: string }[];
}

const creditLimitCents = 50_000;

describeWithBackends('orders end to end, through the gateway', () => {
  let system: SystemUnderTest;
  let api: ApiClient;
  let products: Product[];

  beforeAll(async () => {
    system = await startSystem({ connection: requireBackends().connection });
    api = createApiClient(system.gatewayUrl);
    const listed = await api.get<{ items: Product[] }>('/api/products');
    expect(listed.status).toBe(200);
    products = listed.body.items;
    return () => system.stop();
  });

  const mailbox = async (to: string) =>
    (await api.get<{ messages: MailboxMessage[] }>(`/api/dev/mailbox?to=${encodeURIComponent(to)}`))
      .body.messages;

  const verifiedUser = (verify = true) => verifiedCustomer(api, { verify });

  const place = (token: string, items: unknown, key: string = crypto.randomUUID()) =>
    api.postWith<Order & { code?: string; detail?: string }>(
      '/api/orders',
      { items },
      { token, headers: { 'idempotency-key': key } },
    );

  const settled = (token: string, id: string) =>
    waitFor(
      async () => {
        const order = await api.get<Order>(`/api/orders/${id}`, token);
        return order.body.status !== 'PENDING' ? order.body : undefined;
      },
      { timeout: 30_000, description: `order ${id} to leave PENDING` },
    );

  const available = async (token: string) =>
    (await api.get<{ availableCents: number }>('/api/billing/account', token)).body.availableCents;

  /** An item whose total is about `cents`. */
  function itemsCosting(cents: number) {
    const product = products.find((p) => p.priceCents <= cents) ?? (products[0] as Product);
    const quantity = Math.max(1, Math.min(1000, Math.round(cents / product.priceCents)));
    return { items: [{ sku: product.sku, quantity }], total: product.priceCents * quantity };
  }

  it('confirms an order, charges the credit exactly once and emails a confirmation', async () => {
    const user = await verifiedUser();
    const { items, total } = itemsCosting(5_000);
    const placed = await place(user.token, items);
    expect(placed.status, JSON.stringify(placed.body)).toBe(202);
    expect(placed.body).toMatchObject({ status: 'PENDING', totalCents: total });

    const order = await settled(user.token, placed.body.id);
    expect(order.status).toBe('CONFIRMED');
    expect(order.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED']);
    expect(await available(user.token)).toBe(creditLimitCents - total);
    const emails = await waitFor(
      async () => {
        const kinds = (await mailbox(user.email)).map((m) => m.kind);
        return kinds.includes('order-confirmed') ? kinds : undefined;
      },
      { timeout: 30_000, description: 'the confirmation email' },
    );
    expect(emails.filter((kind) => kind === 'order-confirmed')).toHaveLength(1);
  });

  it('rejects an order over the available credit with INSUFFICIENT_CREDIT, charges nothing, emails', async () => {
    const user = await verifiedUser();
    const expensive = [...products].sort((a, b) => b.priceCents - a.priceCents)[0] as Product;
    const quantity = Math.min(1000, Math.floor(creditLimitCents / expensive.priceCents) + 1);
    const placed = await place(user.token, [{ sku: expensive.sku, quantity }]);
    expect(placed.status).toBe(202);
    const order = await settled(user.token, placed.body.id);
    expect(order).toMatchObject({ status: 'REJECTED', reason: 'INSUFFICIENT_CREDIT' });
    expect(await available(user.token)).toBe(creditLimitCents);
    await waitFor(
      async () => (await mailbox(user.email)).some((m) => m.kind === 'order-rejected'),
      {
        timeout: 30_000,
        description: 'the rejection email',
      },
    );
  });

  it('refuses bad orders with a 4xx problem naming the problem, and a sent price changes nothing', async () => {
    const user = await verifiedUser();
    const sku = (products[0] as Product).sku;
    const cases: [string, unknown, Record<string, string>, number, string][] = [
      ['unknown sku', [{ sku: 'NO-SUCH-SKU', quantity: 1 }], {}, 422, 'NO-SUCH-SKU'],
      ['zero quantity', [{ sku, quantity: 0 }], {}, 400, 'quantity'],
      ['negative quantity', [{ sku, quantity: -2 }], {}, 400, 'quantity'],
      ['empty items', [], {}, 400, 'items'],
      ['a price', [{ sku, quantity: 1, unitPriceCents: 1 }], {}, 400, 'unitPriceCents'],
    ];
    for (const [label, items, , status, named] of cases) {
      const response = await place(user.token, items);
      expect(response.status, label).toBe(status);
      expect(response.headers.get('content-type'), label).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(response.body), label).toContain(named);
    }
    const noKey = await api.postWith(
      '/api/orders',
      { items: [{ sku, quantity: 1 }] },
      {
        token: user.token,
      },
    );
    expect(noKey.status).toBe(400);
    expect(JSON.stringify(noKey.body)).toContain('idempotency-key');

    const unverified = await verifiedUser(false);
    const refused = await place(unverified.token, [{ sku, quantity: 1 }]);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });

    const orders = await query<{ n: number }>(
      system.database('order').url,
      'SELECT count(*)::int AS n FROM orders WHERE user_id = ANY($1)',
      [[user.id, unverified.id]],
    );
    expect(orders[0]?.n).toBe(0);
  });

  it('places one order for 20 concurrent identical requests with one key', async () => {
    const user = await verifiedUser();
    const { items } = itemsCosting(1_000);
    const key = crypto.randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => place(user.token, items, key)),
    );
    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((r) => r.body.id)).size).toBe(1);
    for (const response of responses.filter((r) => r.status !== 202)) {
      expect(response.status).toBe(409);
    }
    const again = await place(user.token, items, key);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(accepted[0]?.body.id);
    const different = await place(user.token, itemsCosting(2_000).items, key);
    expect(different.status).toBe(422);
    const rows = await query<{ n: number }>(
      system.database('order').url,
      'SELECT count(*)::int AS n FROM orders WHERE user_id = $1',
      [user.id],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('confirms exactly as many of a burst of concurrent orders as the credit allows', async () => {
    const user = await verifiedUser();
    const { items, total } = itemsCosting(12_000);
    const affordable = Math.floor(creditLimitCents / total);
    const burst = Math.max(affordable + 3, 8);
    const placed = await Promise.all(Array.from({ length: burst }, () => place(user.token, items)));
    for (const response of placed) expect(response.status).toBe(202);
    const orders = await Promise.all(placed.map((p) => settled(user.token, p.body.id)));
    expect(orders.filter((o) => o.status === 'CONFIRMED')).toHaveLength(affordable);
    expect(orders.filter((o) => o.status === 'REJECTED')).toHaveLength(burst - affordable);
    expect(await available(user.token)).toBe(creditLimitCents - affordable * total);
  });

  it('applies every saga event delivered twice once, and rebuilds a read model equal to the live one', async () => {
    const user = await verifiedUser();
    const placed = await place(user.token, itemsCosting(3_000).items);
    await settled(user.token, placed.body.id);
    await waitFor(
      async () => (await mailbox(user.email)).some((m) => m.kind === 'order-confirmed'),
      {
        timeout: 30_000,
        description: 'the confirmation email',
      },
    );
    const before = {
      charges: await chargesOf(placed.body.id),
      events: await orderEventsOf(placed.body.id),
      emails: (await mailbox(user.email)).length,
      available: await available(user.token),
    };

    // Every event of this order's saga, published again exactly as the relays did.
    const saga: [string, string, string][] = [
      ['order', 'order.placed', 'order'],
      ['billing', 'payment.succeeded', 'billing'],
      ['order', 'order.confirmed', 'order'],
    ];
    for (const [database, type, producer] of saga) {
      const [row] = await query<{ event: CloudEvent }>(
        system.database(database).url,
        `SELECT event FROM outbox WHERE event_type = $1 AND event->'data'->>'orderId' = $2`,
        [type, placed.body.id],
      );
      if (!row) throw new Error(`no ${type} in the ${database} outbox`);
      await publisherFor(system, producer).publish(row.event);
      const consumers = {
        'order.placed': 'billing',
        'payment.succeeded': 'order',
        'order.confirmed': 'email',
      };
      const consumer = consumers[type as keyof typeof consumers];
      await waitFor(
        () =>
          system
            .service(consumer)
            .lines.some((line) => line.includes(row.event.id) && line.includes('handled before')),
        { timeout: 30_000, description: `${consumer} to skip ${type} the second time` },
      );
    }
    expect(await chargesOf(placed.body.id)).toBe(before.charges);
    expect(await orderEventsOf(placed.body.id)).toBe(before.events);
    expect((await mailbox(user.email)).length).toBe(before.emails);
    expect(await available(user.token)).toBe(before.available);

    const live = await readModel();
    await rebuildReadModel();
    expect(await readModel()).toEqual(live);
  });

  it('answers 503 fast and writes nothing while the user service is down, and recovers without a restart', async () => {
    const user = await verifiedUser();
    const { items } = itemsCosting(1_000);
    expect((await place(user.token, items)).status).toBe(202);
    const ordersBefore = await ordersOf(user.id);

    await system.stopService('user');
    const timings: number[] = [];
    for (let i = 0; i < 20; i++) {
      const began = performance.now();
      const response = await place(user.token, items);
      timings.push(performance.now() - began);
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    timings.sort((a, b) => a - b);
    console.info(
      `placement with the user service down: p50 ${timings[9]?.toFixed(0)} ms, p99 ${timings[19]?.toFixed(0)} ms (20 requests)`,
    );
    expect(await ordersOf(user.id)).toBe(ordersBefore);

    await system.startService('user');
    await waitFor(async () => (await place(user.token, items)).status === 202, {
      timeout: 30_000,
      description: 'placement to work again once the user service is back',
    });
    expect(await ordersOf(user.id)).toBe(ordersBefore + 1);
  });

  async function chargesOf(orderId: string) {
    const [row] = await query<{ n: number }>(
      system.database('billing').url,
      'SELECT count(*)::int AS n FROM charges WHERE order_id = $1',
      [orderId],
    );
    return row?.n;
  }

  async function orderEventsOf(orderId: string) {
    const [row] = await query<{ n: number }>(
      system.database('order').url,
      'SELECT count(*)::int AS n FROM order_events WHERE order_id = $1',
      [orderId],
    );
    return row?.n;
  }

  async function ordersOf(userId: string) {
    const [row] = await query<{ n: number }>(
      system.database('order').url,
      'SELECT count(*)::int AS n FROM orders WHERE user_id = $1',
      [userId],
    );
    return row?.n ?? 0;
  }

  const readModel = () => query(system.database('order').url, 'SELECT * FROM orders ORDER BY id');

  /** The admin command, as a one-off process, the way ECS would run it. */
  async function rebuildReadModel() {
    const dir = fileURLToPath(new URL('../../services/order/', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@storekeeper/source', 'src/rebuild-read-model.ts'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: system.database('order').url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const [code] = await once(child, 'exit');
    expect(code, output).toBe(0);
  }
});
