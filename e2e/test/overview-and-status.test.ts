import { describeWithBackends, requireBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { type ApiClient, createApiClient } from '../src/api-client.ts';
import { type SystemUnderTest, startSystem } from '../src/start-system.ts';
import { verifiedCustomer } from '../src/verified-customer.ts';

interface Overview {
  profile: { id: string };
  recentOrders: { id: string }[] | null;
  billing: { availableCents: number } | null;
  degraded: string[];
}
interface Status {
  status: 'ok' | 'degraded';
  services: { name: string; readiness: string; breaker: string }[];
}

describeWithBackends('the gateway as aggregator, over the real services', () => {
  let system: SystemUnderTest;
  let api: ApiClient;

  beforeAll(async () => {
    system = await startSystem({ connection: requireBackends().connection });
    api = createApiClient(system.gatewayUrl);
    return () => system.stop();
  });

  it('composes profile, recent orders and billing; with billing down, answers what is there', async () => {
    const customer = await verifiedCustomer(api);
    const products = await api.get<{ items: { sku: string }[] }>('/api/products');
    const sku = products.body.items[0]?.sku as string;
    const placed = await api.postWith<{ id: string }>(
      '/api/orders',
      { items: [{ sku, quantity: 1 }] },
      { token: customer.token, headers: { 'idempotency-key': crypto.randomUUID() } },
    );
    expect(placed.status).toBe(202);

    const complete = await api.get<Overview>('/api/me/overview', customer.token);
    expect(complete.status).toBe(200);
    expect(complete.headers.get('cache-control')).toBe('no-store');
    expect(complete.body.profile.id).toBe(customer.id);
    expect(complete.body.recentOrders?.map((o) => o.id)).toContain(placed.body.id);
    expect(complete.body.billing).not.toBeNull();
    expect(complete.body.degraded).toEqual([]);
    const healthy = await api.get<Status>('/api/status');
    expect(healthy.body.status).toBe('ok');
    expect(healthy.body.services.map((s) => s.name).sort()).toEqual([
      'billing',
      'email',
      'order',
      'user',
    ]);

    await system.stopService('billing');
    try {
      const partial = await api.get<Overview>('/api/me/overview', customer.token);
      expect(partial.status).toBe(200);
      expect(partial.body).toMatchObject({ billing: null, degraded: ['billing'] });
      expect(partial.body.recentOrders?.map((o) => o.id)).toContain(placed.body.id);
      // Readiness is probed at most once a second, so the first answer may predate the stop.
      const status = await waitFor(
        async () => {
          const answer = await api.get<Status>('/api/status');
          return answer.body.status === 'degraded' ? answer.body : undefined;
        },
        { timeout: 10_000, description: '/api/status to report billing' },
      );
      expect(status.services.find((s) => s.name === 'billing')?.readiness).not.toBe('ready');
      // Other routes do not suffer.
      expect((await api.get('/api/users/me', customer.token)).status).toBe(200);
    } finally {
      await system.startService('billing');
    }
    await waitFor(
      async () =>
        (await api.get<Overview>('/api/me/overview', customer.token)).body.degraded?.length === 0,
      { timeout: 30_000, description: 'the overview complete again once billing is back' },
    );
  }, 150_000);

  it('answers 503 with Retry-After when the user service, which owns the profile, is down', async () => {
    const customer = await verifiedCustomer(api);
    await system.stopService('user');
    try {
      const response = await api.get('/api/me/overview', customer.token);
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await system.startService('user');
    }
  }, 150_000);
});
