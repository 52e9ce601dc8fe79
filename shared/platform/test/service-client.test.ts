import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { kitErrors } from '../src/define-errors.ts';
import { ServiceUnavailableError } from '../src/errors.ts';
import { createLogger } from '../src/logger.ts';
import { createServiceClient, type ServiceClient } from '../src/service-client.ts';
import { createLogCapture } from './helper.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;
let client: ServiceClient | undefined;
afterEach(async () => {
  await client?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
  client = undefined;
});

/** A real HTTP peer on loopback that counts the requests it receives. */
async function upstream(handler: Handler) {
  const seen: { method: string; url: string; aborted: boolean }[] = [];
  server = createServer((req, res) => {
    const entry = { method: req.method ?? '', url: req.url ?? '', aborted: false };
    seen.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, seen };
}

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}

function makeClient(
  baseUrl: string,
  overrides: Partial<Parameters<typeof createServiceClient>[0]> = {},
) {
  client = createServiceClient({
    name: 'user',
    baseUrl,
    logger: createLogger({
      service: 'test',
      level: 'silent',
      destination: createLogCapture().stream,
    }),
    timeoutMs: 300,
    retries: 1,
    breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 300 },
    ...overrides,
  });
  return client;
}

describe('service client', () => {
  it('returns 4xx answers as they are, without tripping the breaker', async () => {
    const { baseUrl, seen } = await upstream((_req, res) =>
      json(res, 404, { code: 'NOT_FOUND' }, 'application/problem+json'),
    );
    const c = makeClient(baseUrl);
    for (let i = 0; i < 10; i++) {
      const response = await c.request({ method: 'GET', path: '/internal/users/1' });
      expect(response).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    }
    expect(c.breakerState()).toBe('closed');
    expect(seen).toHaveLength(10);
  });

  it('opens on repeated 5xx and then fails fast without calling the service', async () => {
    const { baseUrl, seen } = await upstream((_req, res) => json(res, 500, { code: 'INTERNAL' }));
    const c = makeClient(baseUrl, { retries: 0 });
    for (let i = 0; i < 4; i++) {
      expect((await c.request({ method: 'POST', path: '/x', body: {} })).status).toBe(500);
    }
    expect(c.breakerState()).toBe('open');
    const error = await c
      .request({ method: 'POST', path: '/x', body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryAfterSeconds).toBe(1);
    expect(seen).toHaveLength(4);
  });

  it('lets a trial call through after the reset timeout and closes again on success', async () => {
    let healthy = false;
    const { baseUrl } = await upstream((_req, res) => json(res, healthy ? 200 : 500, {}));
    const c = makeClient(baseUrl, { retries: 0 });
    for (let i = 0; i < 4; i++) await c.request({ method: 'GET', path: '/x' });
    expect(c.breakerState()).toBe('open');
    healthy = true;
    const deadline = Date.now() + 3_000;
    while (c.breakerState() === 'open' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(c.breakerState()).toBe('half-open');
    expect((await c.request({ method: 'GET', path: '/x' })).status).toBe(200);
    expect(c.breakerState()).toBe('closed');
  });

  it('aborts an attempt that outlives the timeout and reports the service unavailable', async () => {
    const { baseUrl, seen } = await upstream(() => {
      // never answers
    });
    const c = makeClient(baseUrl, { retries: 0 });
    const error = await c.request({ method: 'GET', path: '/slow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    const deadline = Date.now() + 2_000;
    while (!seen[0]?.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(seen[0]?.aborted).toBe(true);
  });

  it('retries an idempotent call once on 503, but never a POST', async () => {
    let calls = 0;
    const { baseUrl, seen } = await upstream((_req, res) => {
      calls++;
      json(res, calls === 1 ? 503 : 200, { calls });
    });
    const c = makeClient(baseUrl);
    expect(await c.request({ method: 'GET', path: '/x' })).toMatchObject({
      status: 200,
      body: { calls: 2 },
    });
    calls = 0;
    expect((await c.request({ method: 'POST', path: '/x', body: { a: 1 } })).status).toBe(503);
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('reports a refused connection as unavailable', async () => {
    const { baseUrl } = await upstream(() => {});
    server?.close();
    const c = makeClient(baseUrl);
    const error = await c.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      title: kitErrors.specs.UPSTREAM_UNAVAILABLE.title,
    });
  });
});
