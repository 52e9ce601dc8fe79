import type { SystemStatus, UpstreamStatus } from '@storekeeper/contracts';
import { waitFor } from '@storekeeper/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestGateway, type StandIns, startStandIns, type TestGateway } from '../helper.ts';

let services: StandIns;
let gateway: TestGateway;

beforeEach(async () => {
  services = await startStandIns();
  gateway = await buildTestGateway(services, {
    UPSTREAM_TIMEOUT_MS: '300',
    UPSTREAM_BREAKER_RESET_MS: '500',
    UPSTREAM_BREAKER_VOLUME_THRESHOLD: '5',
    STATUS_PROBE_TIMEOUT_MS: '200',
  });
});

afterEach(async () => {
  await gateway.close();
  await services.close();
});

async function status(): Promise<SystemStatus> {
  const response = await gateway.app.inject({ url: '/api/status' });
  expect(response.statusCode).toBe(200);
  return response.json();
}

function byName(body: SystemStatus, name: string): UpstreamStatus {
  const found = body.services.find((service) => service.name === name);
  if (!found) throw new Error(`no ${name} in the status`);
  return found;
}

describe('GET /api/status', () => {
  it('reports every service ready with its circuit closed, without a token', async () => {
    const body = await status();
    expect(body.status).toBe('ok');
    expect(body.services.map((s) => s.name)).toEqual(['user', 'order', 'billing', 'email']);
    for (const service of body.services) {
      expect(service).toMatchObject({ readiness: 'ready', breaker: 'closed', errorRate: 0 });
    }
    expect(services.billing.probes).toBe(1);
  });

  it('shows what the gateway measured: calls, failures, error rate and latency', async () => {
    services.order.answer('/products', { status: 500, body: {} });
    const headers = { authorization: `Bearer ${gateway.token}` };
    for (let i = 0; i < 4; i++) {
      await gateway.app.inject({ url: '/api/orders', headers });
      await gateway.app.inject({ url: '/api/products' });
    }
    const order = byName(await status(), 'order');
    expect(order).toMatchObject({
      window: { seconds: 10, calls: 8, failures: 4, rejected: 0 },
      errorRate: 0.5,
    });
    expect(order.latencyMs?.p50).toBeGreaterThanOrEqual(0);
    expect(order.latencyMs?.p99).toBeGreaterThanOrEqual(order.latencyMs?.p50 ?? 0);
  });

  it('reports a frozen service as not answering, a failing one as not ready and its open circuit', async () => {
    await services.billing.set('frozen');
    await services.order.set('failing');
    for (let i = 0; i < 6; i++) await gateway.app.inject({ url: '/api/products' });
    const body = await status();
    expect(body.status).toBe('degraded');
    expect(byName(body, 'billing')).toMatchObject({ readiness: 'no-answer', breaker: 'closed' });
    expect(byName(body, 'order')).toMatchObject({ readiness: 'not-ready', breaker: 'open' });
    expect(byName(body, 'user')).toMatchObject({ readiness: 'ready', breaker: 'closed' });

    await services.billing.set('up');
    await services.order.set('up');
    // The order circuit closes on its first successful call after the reset time.
    await waitFor(
      async () => {
        await gateway.app.inject({ url: '/api/products' });
        return (await status()).status === 'ok';
      },
      { description: 'the system to be ok again', timeout: 500 + 1_000 + 2_000 },
    );
  });

  it('probes each service at most once per period, however often it is asked', async () => {
    const bodies = await Promise.all(Array.from({ length: 20 }, status));
    expect(new Set(bodies.map((body) => body.checkedAt)).size).toBe(1);
    for (const service of [services.user, services.order, services.billing, services.email]) {
      expect(service.probes).toBe(1);
    }
  });
});
