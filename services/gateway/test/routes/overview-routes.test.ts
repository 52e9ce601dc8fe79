import { createLogger } from '@storekeeper/platform';
import { createLogCapture, waitFor } from '@storekeeper/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  billingAccount,
  buildTestGateway,
  latencyPercentiles,
  orderList,
  profile,
  type StandIns,
  startStandIns,
  type TestGateway,
} from '../helper.ts';

/** Small bounds, so that a failure shows within a test's time; the shapes are production's. */
const settings = {
  UPSTREAM_TIMEOUT_MS: '1000',
  OVERVIEW_TIMEOUT_MS: '300',
  UPSTREAM_BREAKER_RESET_MS: '500',
  UPSTREAM_BREAKER_VOLUME_THRESHOLD: '5',
};

let services: StandIns;
let gateway: TestGateway;

beforeEach(async () => {
  services = await startStandIns();
  gateway = await buildTestGateway(services, settings);
});

afterEach(async () => {
  await gateway.close();
  await services.close();
});

function get(url: string) {
  return gateway.app.inject({ url, headers: { authorization: `Bearer ${gateway.token}` } });
}

async function overview() {
  const started = performance.now();
  const response = await get('/api/me/overview');
  return { response, ms: performance.now() - started };
}

/**
 * Steady load while a service is out: `waves` rounds of concurrent overviews, each
 * round with a profile and an orders request beside it, which must not notice.
 */
async function steadyLoad(waves: number, perWave = 5) {
  const latencies: number[] = [];
  for (let wave = 0; wave < waves; wave++) {
    const [others, ...overviews] = await Promise.all([
      Promise.all([get('/api/users/me'), get('/api/orders?limit=5')]),
      ...Array.from({ length: perWave }, overview),
    ]);
    for (const other of others) expect(other.statusCode).toBe(200);
    for (const { response, ms } of overviews) {
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        profile,
        recentOrders: orderList.items,
        billing: null,
        degraded: ['billing'],
      });
      latencies.push(ms);
    }
  }
  return latencyPercentiles(latencies);
}

describe('GET /api/me/overview', () => {
  it('composes the profile, the newest orders and the billing account', async () => {
    const { response } = await overview();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      profile,
      recentOrders: orderList.items,
      billing: billingAccount,
      degraded: [],
    });
    // Each service was asked with the caller's token, in parallel.
    expect(services.order.paths).toEqual(['/orders?limit=5']);
    expect(services.billing.paths).toEqual(['/billing/account']);
  });

  it('needs a token, and asks no service without one', async () => {
    const response = await gateway.app.inject({ url: '/api/me/overview' });
    expect(response.statusCode).toBe(401);
    expect(services.user.requests + services.order.requests + services.billing.requests).toBe(0);
  });

  it('shows a billing account not opened yet as null, without calling it degraded', async () => {
    services.billing.answer('/billing/account', {
      status: 404,
      type: 'application/problem+json',
      body: { code: 'BILLING_ACCOUNT_NOT_FOUND' },
    });
    for (let i = 0; i < 20; i++) {
      const { response } = await overview();
      expect(response.json()).toMatchObject({ billing: null, degraded: [] });
    }
    // 4xx are answers, not failures: the breaker stays closed.
    expect(gateway.upstreams.billing.breakerState()).toBe('closed');
  });

  it('leaves out orders that break the contract, rather than failing the whole answer', async () => {
    services.order.answer('/orders', { status: 200, body: { items: [{ id: 'not-an-order' }] } });
    const { response } = await overview();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ recentOrders: null, degraded: ['recentOrders'] });
  });

  it('answers 503 with Retry-After when the user service fails: no profile, no overview', async () => {
    await services.user.set('failing');
    const response = await get('/api/me/overview');
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(response.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('answers 503 at its deadline when the user service hangs', async () => {
    await services.user.set('frozen');
    const { response, ms } = await overview();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(ms).toBeLessThan(300 + 2_000);
  });

  it('passes the user service’s own 4xx through as it sent it', async () => {
    const problem = { type: '/problems/user-not-found', status: 404, code: 'USER_NOT_FOUND' };
    services.user.answer('/users/me', {
      status: 404,
      type: 'application/problem+json',
      body: problem,
    });
    const response = await get('/api/me/overview');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toBe(JSON.stringify(problem));
  });

  it('stays 200 with degraded [billing] while billing is frozen, and recovers when it returns', async () => {
    await services.billing.set('frozen');
    const latency = await steadyLoad(20);
    console.info(`[fault] overview with billing frozen: p50/p95/p99 ${JSON.stringify(latency)} ms`);
    // Bounded by the overview's deadline (300 ms), whatever billing does; generous margin.
    expect(latency.p99).toBeLessThan(300 + 2_000);
    // The breaker opened after its volume threshold: most overviews never waited on billing.
    expect(gateway.upstreams.billing.breakerState()).not.toBe('closed');
    expect(services.billing.requests).toBeLessThan(100 / 2);
    // Every call cut at the deadline closed its socket: nothing is left hanging on either side.
    await waitFor(
      () =>
        services.billing.abandoned === services.billing.requests &&
        gateway.upstreams.billing.stats().connections.busy === 0,
      { description: 'the frozen billing sockets to be closed' },
    );

    await services.billing.set('up');
    const recovered = performance.now();
    await waitFor(async () => (await overview()).response.json().degraded.length === 0, {
      description: 'the overview to be complete again',
      timeout: 500 + 2_000,
    });
    console.info(
      `[fault] billing back: complete overview after ${Math.round(performance.now() - recovered)} ms`,
    );
    expect(gateway.upstreams.billing.breakerState()).toBe('closed');
  });

  it('stays 200 with degraded [billing] while billing is down, and recovers when it returns', async () => {
    await services.billing.set('down');
    const latency = await steadyLoad(20);
    console.info(`[fault] overview with billing down: p50/p95/p99 ${JSON.stringify(latency)} ms`);
    expect(latency.p99).toBeLessThan(300 + 2_000);
    expect(gateway.upstreams.billing.breakerState()).not.toBe('closed');

    await services.billing.set('up');
    await waitFor(async () => (await overview()).response.json().degraded.length === 0, {
      description: 'the overview to be complete again',
      timeout: 500 + 2_000,
    });
    expect(gateway.upstreams.billing.breakerState()).toBe('closed');
  });

  it('warns of a missing part once a second at most, counting the answers it was missing from', async () => {
    await gateway.close();
    const logs = createLogCapture();
    gateway = await buildTestGateway(
      services,
      settings,
      createLogger({ service: 'gateway-test', level: 'warn', destination: logs.stream }),
    );
    await services.billing.set('down');
    const started = performance.now();
    await steadyLoad(6); // 30 overviews without billing
    const seconds = (performance.now() - started) / 1_000;

    const warnings = logs.lines
      .map((line) => JSON.parse(line))
      .filter((l) => l.msg === 'overview degraded');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(warnings[0]).toMatchObject({ part: 'billing', answers: 1 });
    // Every answer without billing is counted by a warning, or waits for the next one.
    const counted = warnings.reduce((sum, w) => sum + w.answers, 0);
    expect(counted).toBeGreaterThanOrEqual(warnings.length);
    expect(counted).toBeLessThanOrEqual(30);
  });

  it('leaves out the orders, not the rest, while the order service fails', async () => {
    await services.order.set('failing');
    const { response } = await overview();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      profile,
      recentOrders: null,
      billing: billingAccount,
      degraded: ['recentOrders'],
    });
  });
});
