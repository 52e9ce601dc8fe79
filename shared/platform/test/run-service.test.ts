import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listeningPort, type SpawnedService, spawnFixture } from './fixtures/spawn-service.ts';

const running: SpawnedService[] = [];
afterEach(() => {
  for (const service of running.splice(0)) service.child.kill('SIGKILL');
});

function start(env: Record<string, string>): SpawnedService {
  const service = spawnFixture({ FIXTURE_REQUIRED: 'yes', ...env });
  running.push(service);
  return service;
}

/** One request on a fresh connection (no keep-alive pool), resolving with status and body. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown', () => {
  it('finishes a request in flight at SIGTERM, refuses new ones, and exits 0 within the grace period', async () => {
    const service = start({ SLOW_MS: '800', SHUTDOWN_TIMEOUT_MS: '5000', LOG_LEVEL: 'debug' });
    const port = await listeningPort(service);

    const inFlight = get(port, '/slow');
    await service.waitForLog(
      (l) => l.msg === 'incoming request' && (l.req as { url?: string })?.url === '/slow',
    );
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    await service.waitForLog((l) => l.msg === 'shutting down');

    await expect(waitForRefusal(port)).resolves.toMatch(/^(ECONNREFUSED|ECONNRESET|503)$/);
    await expect(inFlight).resolves.toEqual({ status: 200, body: '{"finished":true}' });

    const exit = await service.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(5_000);
    expect(service.lines.some((l) => l.msg === 'stopped')).toBe(true);
  });

  it('keeps serving but reports not ready during the drain delay', async () => {
    const service = start({ SLOW_MS: '0', SHUTDOWN_DRAIN_DELAY_MS: '3000' });
    const port = await listeningPort(service);
    expect((await get(port, '/health/ready')).status).toBe(200);

    service.child.kill('SIGTERM');
    await service.waitForLog((l) => l.msg === 'shutting down');
    expect((await get(port, '/health/ready')).status).toBe(503);
    expect(await get(port, '/slow')).toEqual({ status: 200, body: '{"finished":true}' });
    expect((await service.exited).code).toBe(0);
  });

  it('exits non-zero when in-flight work outlives the shutdown timeout', async () => {
    const service = start({ SLOW_MS: '30000', SHUTDOWN_TIMEOUT_MS: '300', LOG_LEVEL: 'debug' });
    const port = await listeningPort(service);
    get(port, '/slow').catch(() => undefined);
    await service.waitForLog((l) => l.msg === 'incoming request');
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');

    const exit = await service.exited;
    expect(exit.code).toBe(1);
    expect(exit.at - signalledAt).toBeLessThan(10_000);
    expect(service.lines.some((l) => l.msg === 'shutdown did not finish in time, exiting')).toBe(
      true,
    );
  });
});

describe('workers', () => {
  it('starts workers after listen and stops intake, then flush, then resources', async () => {
    const service = start({ SLOW_MS: '0', FIXTURE_WORKERS: 'true' });
    await listeningPort(service);
    await service.waitForLog((l) => l.msg === 'workers started');
    const listenedAt = service.lines.findIndex((l) => String(l.msg).startsWith('Server listening'));
    const consumerAt = service.lines.findIndex((l) => l.msg === 'consumer started');
    expect(listenedAt).toBeGreaterThanOrEqual(0);
    expect(consumerAt).toBeGreaterThan(listenedAt);

    service.child.kill('SIGTERM');
    const exit = await service.exited;
    expect(exit.code).toBe(0);
    const order = service.lines
      .map((l) => String(l.msg))
      .filter((msg) =>
        ['consumer stopped', 'relay stopped', 'fixture resource closed', 'stopped'].includes(msg),
      );
    expect(order).toEqual([
      'consumer stopped',
      'relay stopped',
      'fixture resource closed',
      'stopped',
    ]);
  });

  it('exits 1 when its port is taken, having started no worker and closed what it opened', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      const startedAt = Date.now();
      const service = start({ FIXTURE_WORKERS: 'true', PORT: String(port) });
      // Exits by itself: a polling worker left running would keep the process alive.
      const exit = await service.exited;
      expect(exit.code).toBe(1);
      expect(exit.at - startedAt).toBeLessThan(5_000);
      const messages = service.lines.map((l) => String(l.msg));
      expect(messages).toContain('failed to start');
      expect(messages).not.toContain('consumer started');
      expect(messages).not.toContain('relay started');
      expect(messages).toContain('fixture resource closed');
      const failure = service.lines.find((l) => l.msg === 'failed to start');
      expect(JSON.stringify(failure)).toContain('EADDRINUSE');
    } finally {
      blocker.close();
    }
  });
});

describe('start-up configuration', () => {
  it('stops non-zero naming a missing variable', async () => {
    const service = spawnFixture({});
    running.push(service);
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    expect(service.stderr()).toContain('FIXTURE_REQUIRED: is required');
  });

  it('stops non-zero naming an invalid variable', async () => {
    const service = start({ PORT: 'http' });
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    expect(service.stderr()).toMatch(/PORT: .*\(got "http"\)/);
  });
});

/**
 * Polls with fresh connections until a new request is refused: the listener has closed
 * (ECONNREFUSED), a connection the kernel had queued is reset (ECONNRESET), or Fastify
 * answers 503 while it closes. Any of the three means "new work is not taken".
 */
async function waitForRefusal(port: number, timeoutMs = 3_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await get(port, '/health/live');
      if (response.status === 503) return '503';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? 'unknown';
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`port ${port} still accepted connections after ${timeoutMs} ms`);
}
