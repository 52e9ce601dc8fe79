import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { buildOrderTestApp, type OrderTestApp } from '../helper.ts';

describeWithBackends('product routes', () => {
  let t: OrderTestApp;
  beforeAll(async () => {
    t = await buildOrderTestApp();
    return () => t.close();
  });

  it('lists the catalogue to anyone, cheapest first, cacheable for a minute', async () => {
    const response = await t.app.inject('/products');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=60');
    const { items } = response.json();
    expect(items.length).toBeGreaterThanOrEqual(6);
    expect(items[0]).toEqual({
      sku: expect.stringMatching(/^[A-Z0-9-]+$/),
      name: expect.any(String),
      priceCents: expect.any(Number),
      currency: 'EUR',
    });
    const prices = items.map((p: { priceCents: number }) => p.priceCents);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(items).toContainEqual({
      sku: 'MUG-BLUE',
      name: 'Blue enamel mug',
      priceCents: 1250,
      currency: 'EUR',
    });
  });
});
