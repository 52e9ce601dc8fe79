import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { waitFor } from '@storekeeper/testing';
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

/** A real HTTP peer on loopback that counts the requests and the sockets it sees. */
async function upstream(handler: Handler) {
  const seen: { method: string; url: string; body: string; aborted: boolean }[] = [];
  const sockets = { opened: 0, closed: 0 };
  server = createServer((req, res) => {
    const entry = { method: req.method ?? '', url: req.url ?? '', body: '', aborted: false };
    seen.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    req.on('data', (chunk: Buffer) => {
      entry.body += chunk.toString();
    });
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (socket: Socket) => {
    sockets.opened++;
    socket.on('close', () => sockets.closed++);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, seen, sockets };
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

const failure = (promise: Promise<unknown>) => promise.then(() => undefined).catch((e) => e);

describe('service client: answers', () => {
  it('returns 4xx answers as they are, without tripping the breaker', async () => {
    const statuses = [400, 404, 409, 422, 429];
    let n = 0;
    const { baseUrl, seen } = await upstream((_req, res) =>
      json(res, statuses[n++ % statuses.length] ?? 400, { code: 'X' }, 'application/problem+json'),
    );
    const c = makeClient(baseUrl);
    for (let i = 0; i < 20; i++) {
      const response = await c.request({ method: 'GET', path: '/internal/users/1' });
      expect(response.status).toBe(statuses[i % statuses.length]);
      expect(response.body).toEqual({ code: 'X' });
    }
    expect(c.breakerState()).toBe('closed');
    expect(seen).toHaveLength(20);
    expect(c.stats()).toMatchObject({ calls: 20, attempts: 20, failures: 0, errorRate: 0 });
  });

  it('hands over the service’s bytes as they are, with their content type', async () => {
    const sent = '{ "spaced":  true,\n  "n": 1 }';
    const { baseUrl } = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(sent);
    });
    const response = await makeClient(baseUrl).requestRaw({ method: 'GET', path: '/x' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body.toString()).toBe(sent);
  });

  it('sends a payload’s bytes untouched, with its content type', async () => {
    const { baseUrl, seen } = await upstream((req, res) =>
      json(res, 200, { type: req.headers['content-type'] }),
    );
    const data = '{"b":2,   "a":1}';
    const response = await makeClient(baseUrl).request({
      method: 'POST',
      path: '/x',
      payload: { data, contentType: 'application/json' },
    });
    expect(response.body).toEqual({ type: 'application/json' });
    expect(seen[0]?.body).toBe(data);
  });

  it('refuses a path that would leave the service’s origin', async () => {
    const { baseUrl, seen } = await upstream((_req, res) => json(res, 200, {}));
    const c = makeClient(baseUrl);
    const error = await failure(c.request({ method: 'GET', path: '//example.com/x' }));
    expect(error).toBeInstanceOf(TypeError);
    expect(await failure(c.request({ method: 'GET', path: 'users' }))).toBeInstanceOf(TypeError);
    expect(await failure(c.probe('/\\example.com', { timeoutMs: 100 }))).toBeInstanceOf(TypeError);
    expect(seen).toHaveLength(0);
    expect(c.stats().calls).toBe(0);
  });

  it('reads an answer up to its size bound, and cuts a bigger one as it arrives, without retrying', async () => {
    const maxResponseBytes = 100_000;
    const { baseUrl, seen, sockets } = await upstream((req, res) => {
      if (req.url === '/fits') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(maxResponseBytes));
      } else if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': String(maxResponseBytes + 1) });
        res.write('x'.repeat(1_000));
      } else {
        // No length declared: a body that never ends, 16 KiB at a time.
        res.writeHead(200, { 'content-type': 'application/json' });
        const more = () => {
          if (!res.destroyed) res.write('x'.repeat(16_384), () => setImmediate(more));
        };
        more();
      }
    });
    const c = makeClient(baseUrl, { maxResponseBytes, timeoutMs: 5_000 });

    const fits = await c.request({ method: 'GET', path: '/fits' });
    expect((fits.body as string).length).toBe(maxResponseBytes);
    for (const path of ['/declared', '/endless']) {
      const error = await failure(c.request({ method: 'GET', path }));
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as Error).message).toContain(`answered more than ${maxResponseBytes} bytes`);
    }
    // One attempt each (a GET, yet not retried), and both sockets closed.
    expect(seen.map((s) => s.url)).toEqual(['/fits', '/declared', '/endless']);
    await waitFor(() => sockets.closed === sockets.opened, {
      description: 'the sockets of the cut answers to be closed',
    });
    expect(c.stats()).toMatchObject({ calls: 3, failures: 2, retries: 0 });
  });

  it('reports a refused connection as unavailable', async () => {
    const { baseUrl } = await upstream(() => {});
    server?.close();
    const c = makeClient(baseUrl);
    const error = await failure(c.request({ method: 'GET', path: '/x' }));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      title: kitErrors.specs.UPSTREAM_UNAVAILABLE.title,
    });
  });
});

describe('service client: circuit breaker', () => {
  it('opens only once its volume threshold is reached, then fails fast without calling', async () => {
    const { baseUrl, seen } = await upstream((_req, res) => json(res, 500, { code: 'INTERNAL' }));
    const c = makeClient(baseUrl, { retries: 0 });
    for (let i = 0; i < 3; i++) {
      expect((await c.request({ method: 'POST', path: '/x', body: {} })).status).toBe(500);
      expect(c.breakerState()).toBe('closed');
    }
    expect((await c.request({ method: 'POST', path: '/x', body: {} })).status).toBe(500);
    expect(c.breakerState()).toBe('open');
    const error = await failure(c.request({ method: 'POST', path: '/x', body: {} }));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryAfterSeconds).toBe(1);
    expect(seen).toHaveLength(4);
    expect(c.stats()).toMatchObject({
      breaker: 'open',
      calls: 5,
      attempts: 4,
      failures: 5,
      rejected: 1,
      errorRate: 1,
    });
  });

  it('lets exactly one probe through per reset period, and closes when it succeeds', async () => {
    let mode: 'fail' | 'hold' = 'fail';
    const held: ServerResponse[] = [];
    const { baseUrl, seen } = await upstream((_req, res) => {
      if (mode === 'fail') json(res, 500, {});
      else held.push(res);
    });
    const c = makeClient(baseUrl, { retries: 0 });
    for (let i = 0; i < 4; i++) await c.request({ method: 'GET', path: '/x' });
    expect(c.breakerState()).toBe('open');

    // First reset period: the probe fails, the breaker opens again; the others never left.
    await waitFor(() => c.breakerState() === 'half-open', { description: 'half-open' });
    const first = await Promise.all(
      Array.from({ length: 5 }, () => failure(c.request({ method: 'GET', path: '/x' }))),
    );
    expect(seen).toHaveLength(5);
    expect(first.filter((e) => e instanceof ServiceUnavailableError)).toHaveLength(4);
    expect(c.breakerState()).toBe('open');

    // Second: the probe is held by the service; meanwhile everyone else fails fast.
    mode = 'hold';
    await waitFor(() => c.breakerState() === 'half-open', { description: 'half-open again' });
    const probe = c.request({ method: 'GET', path: '/x' });
    await waitFor(() => held.length === 1, { description: 'the probe to reach the service' });
    const others = await Promise.all(
      Array.from({ length: 5 }, () => failure(c.request({ method: 'GET', path: '/x' }))),
    );
    expect(others.every((e) => e instanceof ServiceUnavailableError)).toBe(true);
    expect(seen).toHaveLength(6);
    held[0]?.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    expect((await probe).status).toBe(200);
    expect(c.breakerState()).toBe('closed');
    mode = 'fail';
  });

  it('stays closed under 4xx, whatever their number', async () => {
    const { baseUrl } = await upstream((_req, res) =>
      json(res, 404, { code: 'NOT_FOUND' }, 'application/problem+json'),
    );
    const c = makeClient(baseUrl, { breaker: { volumeThreshold: 1, resetTimeoutMs: 300 } });
    await Promise.all(
      Array.from({ length: 50 }, () => c.request({ method: 'GET', path: '/missing' })),
    );
    expect(c.breakerState()).toBe('closed');
    expect(c.stats()).toMatchObject({ calls: 50, failures: 0 });
  });

  it('answers a health probe outside the breaker, even when it is open', async () => {
    const { baseUrl, seen } = await upstream((req, res) =>
      json(res, req.url === '/health/ready' ? 503 : 500, {}),
    );
    const c = makeClient(baseUrl, { retries: 0 });
    for (let i = 0; i < 4; i++) await c.request({ method: 'GET', path: '/x' });
    expect(c.breakerState()).toBe('open');
    expect(await c.probe('/health/ready', { timeoutMs: 500 })).toEqual({ status: 503 });
    expect(seen.at(-1)?.url).toBe('/health/ready');
    expect(c.stats().calls).toBe(4);
  });
});

describe('service client: timeouts', () => {
  it('cuts a hanging service at the timeout, frees the socket, and the next call after recovery succeeds', async () => {
    let hang = true;
    const { baseUrl, seen, sockets } = await upstream((_req, res) => {
      if (!hang) json(res, 200, { ok: true });
    });
    const c = makeClient(baseUrl, { timeoutMs: 300 });
    const started = performance.now();
    const error = await failure(c.request({ method: 'GET', path: '/slow' }));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toContain('no answer within 300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2_000);
    // Cut means cut: the service saw its request abandoned and the socket closed.
    await waitFor(() => seen[0]?.aborted && sockets.closed === sockets.opened, {
      description: 'the service to see the socket closed',
    });
    expect(c.stats().connections).toEqual({ open: 0, busy: 0, queued: 0 });
    // A timed-out attempt is not retried.
    expect(seen).toHaveLength(1);
    expect(c.stats()).toMatchObject({ timeouts: 1, retries: 0, failures: 1 });

    hang = false;
    expect(await c.request({ method: 'GET', path: '/x' })).toMatchObject({
      status: 200,
      body: { ok: true },
    });
  });

  it('cuts a health probe of a hanging service at its bound and frees the socket', async () => {
    const { baseUrl, seen, sockets } = await upstream(() => {});
    const c = makeClient(baseUrl);
    const started = performance.now();
    const error = await failure(c.probe('/health/ready', { timeoutMs: 200 }));
    expect((error as Error).message).toContain('no answer within 200 ms');
    expect(performance.now() - started).toBeLessThan(2_000);
    await waitFor(() => seen[0]?.aborted && sockets.closed === sockets.opened, {
      description: 'the probed service to see the socket closed',
    });
    // A probe is outside the breaker and the stats.
    expect(c.stats()).toMatchObject({ calls: 0, timeouts: 0 });
  });

  it('cuts a service that sends its headers and then stalls the body', async () => {
    const { baseUrl, sockets } = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    const c = makeClient(baseUrl, { timeoutMs: 300 });
    const error = await failure(c.request({ method: 'GET', path: '/stall' }));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    await waitFor(() => sockets.opened > 0 && sockets.closed === sockets.opened, {
      description: 'the stalled socket to be closed',
    });
    expect(c.stats().connections.busy).toBe(0);
  });

  it('keeps a call, retries included, within the caller’s deadline', async () => {
    const { baseUrl } = await upstream(() => {});
    const c = makeClient(baseUrl, { timeoutMs: 10_000, retries: 3 });
    const started = performance.now();
    const error = await failure(c.request({ method: 'GET', path: '/slow', timeoutMs: 200 }));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('service client: retries', () => {
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
    expect(c.stats()).toMatchObject({ calls: 2, attempts: 3, retries: 1, failures: 1 });
  });

  it('keeps a 503 storm from being amplified: attempts ÷ calls ≤ 1.1 under the retry budget', async () => {
    const { baseUrl, seen } = await upstream((_req, res) => json(res, 503, {}));
    // The breaker never opens here (no error rate is above 100 %): the budget alone bounds it.
    const c = makeClient(baseUrl, {
      retries: 3,
      breaker: { errorThresholdPercentage: 100, resetTimeoutMs: 300 },
    });
    const calls = 300;
    for (let wave = 0; wave < calls / 10; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => c.request({ method: 'GET', path: '/x' })),
      );
      expect(answers.every((answer) => answer.status === 503)).toBe(true);
    }
    const ratio = seen.length / calls;
    console.info(`[fault] 503 storm: ${seen.length} attempts for ${calls} calls, ratio ${ratio}`);
    expect(ratio).toBeLessThanOrEqual(1.1);
    expect(ratio).toBeGreaterThan(1); // the budget was spent, not unused
    expect(c.stats()).toMatchObject({ calls, attempts: seen.length, failures: calls });
  });
});

describe('service client: stats', () => {
  it('reports calls, failures, error rate and latency percentiles over the window', async () => {
    let n = 0;
    const { baseUrl } = await upstream((_req, res) => json(res, ++n % 5 === 0 ? 500 : 200, {}));
    const c = makeClient(baseUrl, { retries: 0, breaker: { volumeThreshold: 100 } });
    expect(c.stats()).toMatchObject({ calls: 0, errorRate: 0, latencyMs: null });
    for (let i = 0; i < 20; i++) await c.request({ method: 'GET', path: '/x' });
    const stats = c.stats();
    expect(stats).toMatchObject({
      breaker: 'closed',
      windowMs: 10_000,
      calls: 20,
      attempts: 20,
      failures: 4,
      rejected: 0,
      errorRate: 0.2,
    });
    const latency = stats.latencyMs;
    expect(latency).not.toBeNull();
    expect(latency?.p50).toBeGreaterThanOrEqual(0);
    expect(latency?.p95).toBeGreaterThanOrEqual(latency?.p50 ?? 0);
    expect(latency?.p99).toBeGreaterThanOrEqual(latency?.p95 ?? 0);
  });
});
