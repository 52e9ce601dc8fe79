import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLifecycle,
  createLogger,
  createTokenVerifier,
  loadConfig,
  type ServiceApp,
} from '@storekeeper/platform';
import { createTestTokens } from '@storekeeper/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeUpstreams, createUpstreams, type Upstreams } from '../src/adapters/upstreams.ts';
import { buildApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';
import { upstreamUrlsEnv } from './helper.ts';

const logger = createLogger({ service: 'gateway-test', level: 'silent' });
const acceptedOrder = {
  id: '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f',
  status: 'PENDING',
  items: [
    { sku: 'MUG-BLUE', name: 'Blue mug', quantity: 2, unitPriceCents: 1250, lineTotalCents: 2500 },
  ],
  totalCents: 2500,
  currency: 'EUR',
  placedAt: '2026-12-03T08:00:00.000Z',
  updatedAt: '2026-12-03T08:00:00.000Z',
  history: [{ status: 'PENDING', at: '2026-12-03T08:00:00.000Z' }],
};

/** A real HTTP server standing in for the services: it records what reaches it. */
let upstream: Server;
let upstreamUrl: string;
const received: {
  method?: string;
  url?: string;
  authorization?: string;
  requestId?: string;
  idempotencyKey?: string;
  body?: string;
}[] = [];

let app: ServiceApp;
let upstreams: Upstreams;
let token: string;

async function gateway(env: Record<string, string>) {
  const { config } = await loadConfig(configSchema, {
    env: {
      ...upstreamUrlsEnv({
        user: upstreamUrl,
        billing: upstreamUrl,
        email: upstreamUrl,
        order: upstreamUrl,
      }),
      ...env,
    },
  });
  const issuer = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
  const testTokens = await createTestTokens(issuer);
  token = await testTokens.sign('0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11');
  upstreams = createUpstreams(config, logger);
  const tokens = createTokenVerifier({ keySet: testTokens.keySet, ...issuer });
  return buildApp({ config, logger, lifecycle: createLifecycle(), upstreams, tokens });
}

beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({
      method: req.method,
      url: req.url,
      authorization: req.headers.authorization,
      requestId: req.headers['x-request-id'] as string,
      idempotencyKey: req.headers['idempotency-key'] as string,
      body,
    });
    if (req.url === '/orders' && req.method === 'POST') {
      // An order as the order service answers it: accepted, not yet charged.
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify(acceptedOrder));
      return;
    }
    if (req.url === '/users/me') {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: '/problems/user-not-found',
          title: 'Not Found',
          status: 404,
          detail: 'gone',
          code: 'USER_NOT_FOUND',
          traceId: 't',
        }),
      );
      return;
    }
    res.writeHead(500, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  app = await gateway({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
});

afterAll(async () => {
  await app.close();
  await closeUpstreams(upstreams);
  await new Promise((resolve) => upstream.close(resolve));
});

describe('gateway', () => {
  it('checks the token before forwarding: a request without one never reaches the service', async () => {
    const before = received.length;
    const response = await app.inject({ url: '/api/users/me' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(received.length).toBe(before);
  });

  it('forwards with the caller’s token and request id, and passes problem+json through', async () => {
    const response = await app.inject({
      url: '/api/users/me',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-42' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'USER_NOT_FOUND', detail: 'gone' });
    expect(received.at(-1)).toMatchObject({
      url: '/users/me',
      authorization: `Bearer ${token}`,
      requestId: 'req-42',
    });
  });

  it('forwards an order with its Idempotency-Key and body, and answers what the order service said', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'order-1' },
      payload: { items: [{ sku: 'MUG-BLUE', quantity: 2 }] },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual(acceptedOrder);
    expect(received.at(-1)).toMatchObject({
      method: 'POST',
      url: '/orders',
      idempotencyKey: 'order-1',
      authorization: `Bearer ${token}`,
    });
    expect(JSON.parse(received.at(-1)?.body ?? '')).toEqual({
      items: [{ sku: 'MUG-BLUE', quantity: 2 }],
    });
  });

  it.each([
    ['no Idempotency-Key', {}, { items: [{ sku: 'MUG-BLUE', quantity: 1 }] }, 'idempotency-key'],
    [
      'a price',
      { 'idempotency-key': 'k' },
      { items: [{ sku: 'MUG-BLUE', quantity: 1, unitPriceCents: 1 }] },
      'unitPriceCents',
    ],
    ['no items', { 'idempotency-key': 'k' }, { items: [] }, 'items'],
    [
      'quantity 0',
      { 'idempotency-key': 'k' },
      { items: [{ sku: 'MUG-BLUE', quantity: 0 }] },
      'quantity',
    ],
  ])(
    'refuses an order with %s: 400 naming it, and the order service never sees it',
    async (_case, headers, payload, named) => {
      const before = received.length;
      const response = await app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: { authorization: `Bearer ${token}`, ...headers },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(response.json())).toContain(named);
      expect(received.length).toBe(before);
    },
  );

  it('asks the order service for the caller’s orders with the limit, token and request id', async () => {
    await app.inject({
      url: '/api/orders?limit=5',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-7' },
    });
    expect(received.at(-1)).toMatchObject({
      method: 'GET',
      url: '/orders?limit=5',
      requestId: 'req-7',
    });
  });

  it.each([
    '/internal/users/0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
    '/api/../internal/users/x',
    '/api/%2e%2e/internal/users/x',
  ])('never routes %s to a service', async (url) => {
    const before = received.length;
    const response = await app.inject({ url });
    expect(response.statusCode).toBe(404);
    expect(received.length).toBe(before);
  });

  it('validates bodies itself: a bad sign-up is a 400 naming the field and reaches no service', async () => {
    const before = received.length;
    const response = await app.inject({
      method: 'POST',
      url: '/api/users',
      payload: { email: 'x@example.com' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((e: { field: string }) => e.field)).toContain('password');
    expect(received.length).toBe(before);
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/token',
      payload: { email: 'a@example.com', password: 'x'.repeat(100_000) },
    });
    expect(response.statusCode).toBe(413);
  });

  it('rate-limits the auth routes per client with 429 problem+json and Retry-After', async () => {
    const limited = await gateway({ AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const login = () =>
        limited.inject({
          method: 'POST',
          url: '/api/auth/token',
          payload: { email: 'a@example.com', password: 'whatever it is' },
        });
      await login();
      await login();
      const third = await login();
      expect(third.statusCode).toBe(429);
      expect(third.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(third.json()).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    } finally {
      await limited.close();
    }
  });

  it('documents the public API at /docs, without internal routes', async () => {
    const page = await app.inject({ url: '/docs' });
    expect(page.statusCode).toBeLessThan(400);
    const spec = (await app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/users',
        '/api/auth/token',
        '/api/users/verify-email',
        '/api/users/me',
        '/api/billing/account',
        '/api/me/overview',
        '/api/status',
      ]),
    );
    expect(
      Object.keys(spec.paths).some(
        (path) => path.includes('internal') || path.startsWith('/health'),
      ),
    ).toBe(false);
  });

  it('has no dev mailbox in production', async () => {
    const production = await gateway({ NODE_ENV: 'production' });
    try {
      expect(
        (await production.inject({ url: '/api/dev/mailbox?to=a@example.com' })).statusCode,
      ).toBe(404);
    } finally {
      await production.close();
    }
  });
});
