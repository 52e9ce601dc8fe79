import { publicRoutes as routeTable } from '@storekeeper/contracts';
import { waitFor } from '@storekeeper/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestGateway, type StandIns, startStandIns, type TestGateway } from '../helper.ts';

let running: { services: StandIns; gateway: TestGateway } | undefined;

/** Stand-ins for the services and the gateway in front of them, with small bounds. */
async function start(env: Record<string, string> = {}) {
  const services = await startStandIns();
  const gateway = await buildTestGateway(services, {
    UPSTREAM_TIMEOUT_MS: '300',
    UPSTREAM_BREAKER_RESET_MS: '500',
    UPSTREAM_BREAKER_VOLUME_THRESHOLD: '5',
    ...env,
  });
  running = { services, gateway };
  return { services, gateway, bearer: { authorization: `Bearer ${gateway.token}` } };
}

afterEach(async () => {
  await running?.gateway.close();
  await running?.services.close();
  running = undefined;
});

describe('the route table', () => {
  it('declares public paths only, each once', () => {
    const routes = routeTable.map((entry) => entry.route);
    expect(new Set(routes).size).toBe(routes.length);
    for (const entry of routeTable) {
      expect(entry.route).toMatch(/^(GET|POST) \/api\//);
      expect(entry.route).not.toContain('internal');
    }
  });
});

describe('forwarding', () => {
  it('passes the service’s bytes, status and content type through untouched', async () => {
    const { services, gateway } = await start();
    const bytes = '{"items":[],   "note":"spaced as the service wrote it"}';
    services.order.answer('/products', { status: 200, body: JSON.parse(bytes) });
    const expected = JSON.stringify(JSON.parse(bytes));
    const response = await gateway.app.inject({ url: '/api/products' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    // Not re-serialized through the response schema: a field it does not know survives.
    expect(response.body).toBe(expected);
  });

  it('forwards the client’s body bytes as they came, after validating them', async () => {
    const { services, gateway } = await start();
    let received = '';
    services.user.answer('/auth/token', (req) => {
      req.on('data', (chunk: Buffer) => {
        received += chunk.toString();
      });
      return { status: 200, body: { accessToken: 't', tokenType: 'Bearer', expiresIn: 60 } };
    });
    const body = '{ "email": "a@example.com",\n  "password": "whatever it is" }';
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/api/auth/token',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    await waitFor(() => received === body, { description: 'the body to reach the service' });
  });

  it('forwards a declared query string as the client wrote it, and refuses undeclared fields', async () => {
    const { services, gateway, bearer } = await start();
    await gateway.app.inject({ url: '/api/dev/mailbox?to=a%40example.com' });
    expect(services.email.paths.at(-1)).toBe('/dev/mailbox?to=a%40example.com');
    await gateway.app.inject({ url: '/api/orders', headers: bearer });
    expect(services.order.paths.at(-1)).toBe('/orders');
    const before = services.order.requests;
    const refused = await gateway.app.inject({
      url: '/api/orders?limit=5&all=true',
      headers: bearer,
    });
    expect(refused.statusCode).toBe(400);
    expect(services.order.requests).toBe(before);
  });

  it('puts the public parameter into the service’s path', async () => {
    const { services, gateway, bearer } = await start();
    const id = '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f';
    await gateway.app.inject({ url: `/api/orders/${id}`, headers: bearer });
    expect(services.order.paths.at(-1)).toBe(`/orders/${id}`);
    const before = services.order.requests;
    for (const step of ['..', '%2e%2e', '%2E.']) {
      const response = await gateway.app.inject({ url: `/api/orders/${step}`, headers: bearer });
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
    }
    expect(services.order.requests).toBe(before);
  });
});

describe('forwarding under faults', () => {
  it('cuts a hanging service at the timeout, releases its sockets, and the first call after recovery succeeds', async () => {
    const { services, gateway } = await start();
    expect((await gateway.app.inject({ url: '/api/products' })).statusCode).toBe(200);
    await services.order.set('frozen');
    const started = performance.now();
    const response = await gateway.app.inject({ url: '/api/products' });
    const elapsed = performance.now() - started;
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    console.info(`[fault] hanging order service cut after ${Math.round(elapsed)} ms (timeout 300)`);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(300 + 2_000);
    // Cut means cut: the service saw its request's socket closed, the pool has none busy.
    await waitFor(
      () =>
        services.order.abandoned === 1 && gateway.upstreams.order.stats().connections.busy === 0,
      { description: 'the hung socket to be closed on both sides' },
    );

    await services.order.set('up');
    expect((await gateway.app.inject({ url: '/api/products' })).statusCode).toBe(200);
  });

  it('opens the breaker only after its volume threshold, and never for 4xx', async () => {
    const { services, gateway, bearer } = await start();
    services.order.answer('/orders/missing', { status: 404, body: { code: 'ORDER_NOT_FOUND' } });
    services.order.answer('/products', { status: 500, body: { code: 'INTERNAL' } });
    for (let i = 0; i < 30; i++) {
      const id = '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f';
      await gateway.app.inject({ url: `/api/orders/${id}`, headers: bearer });
    }
    expect(gateway.upstreams.order.breakerState()).toBe('closed');

    // 30 answers in the window, all fine: 4 failures are far from opening it.
    for (let i = 0; i < 4; i++) {
      expect((await gateway.app.inject({ url: '/api/products' })).statusCode).toBe(500);
    }
    expect(gateway.upstreams.order.breakerState()).toBe('closed');
  });

  it('keeps other services’ routes unaffected while one service’s breaker is open', async () => {
    const { services, gateway, bearer } = await start();
    await services.order.set('failing');
    for (let i = 0; i < 10; i++) await gateway.app.inject({ url: '/api/products' });
    expect(gateway.upstreams.order.breakerState()).toBe('open');
    const fast = await gateway.app.inject({ url: '/api/products' });
    expect(fast.statusCode).toBe(503);
    expect(fast.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const profile = await gateway.app.inject({ url: '/api/users/me', headers: bearer });
    expect(profile.statusCode).toBe(200);
    expect(gateway.upstreams.user.breakerState()).toBe('closed');
  });

  it.each([
    ['the retry budget alone (breaker never opens)', '1000000'],
    ['the breaker as configured', '5'],
  ])(
    'does not amplify a 503 storm: calls to the service ÷ requests ≤ 1.1, with %s',
    async (_case, volumeThreshold) => {
      const { services, gateway } = await start({
        UPSTREAM_BREAKER_VOLUME_THRESHOLD: volumeThreshold,
      });
      await services.order.set('failing');
      const incoming = 200;
      for (let wave = 0; wave < incoming / 10; wave++) {
        const responses = await Promise.all(
          Array.from({ length: 10 }, () => gateway.app.inject({ url: '/api/products' })),
        );
        for (const response of responses) expect(response.statusCode).toBe(503);
      }
      const ratio = services.order.requests / incoming;
      console.info(
        `[fault] 503 storm, ${_case}: ${services.order.requests} calls for ${incoming} requests, ratio ${ratio}`,
      );
      expect(ratio).toBeLessThanOrEqual(1.1);
    },
  );
});
