import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceApp } from '../src/build-service-app.ts';
import { kitErrors } from '../src/define-errors.ts';
import type { ReadinessCheck } from '../src/health.ts';
import { buildTestApp } from './helper.ts';

let app: ServiceApp;
afterEach(async () => app?.close());

function switchableCheck(name: string) {
  let failure: Error | undefined;
  const check: ReadinessCheck = {
    name,
    async check() {
      if (failure) throw failure;
    },
  };
  return {
    check,
    fail: (message: string) => (failure = new Error(message)),
    recover: () => (failure = undefined),
  };
}

describe('health probes', () => {
  it('is live and ready when every check passes', async () => {
    const database = switchableCheck('database');
    ({ app } = await buildTestApp({ readiness: [database.check] }));
    expect((await app.inject('/health/live')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('turns not ready while a check fails and recovers without a restart', async () => {
    const database = switchableCheck('database');
    const queue = switchableCheck('queue');
    ({ app } = await buildTestApp({ readiness: [database.check, queue.check] }));
    database.fail('connection refused');
    const down = await app.inject('/health/ready');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({
      status: 'not-ready',
      checks: { database: 'failed: connection refused', queue: 'ok' },
    });
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    database.recover();
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
  });

  it('counts a check that hangs as failed', async () => {
    const hanging: ReadinessCheck = { name: 'database', check: () => new Promise(() => {}) };
    ({ app } = await buildTestApp({ readiness: [hanging] }));
    const response = await app.inject('/health/ready');
    expect(response.statusCode).toBe(503);
    expect(response.json().checks.database).toMatch(/no answer within/);
  });

  it('is not ready once shutdown has begun', async () => {
    const built = await buildTestApp();
    app = built.app;
    built.lifecycle.beginShutdown();
    const response = await app.inject('/health/ready');
    expect(response.statusCode).toBe(503);
    expect(response.json().checks).toEqual({ lifecycle: 'shutting down' });
  });
});

describe('load shedding', () => {
  it('refuses business routes with 503 + Retry-After while the event loop lags, but not probes', async () => {
    let logs: Awaited<ReturnType<typeof buildTestApp>>['logs'];
    ({ app, logs } = await buildTestApp({
      maxEventLoopDelayMs: 20,
      sampleIntervalMs: 5,
      routes: async (scope) => {
        scope.get('/work', async () => ({ done: true }));
      },
    }));
    expect((await app.inject('/work')).statusCode).toBe(200);

    const shed = await overloadUntilShed(100);
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('2');
    expect(shed.json()).toMatchObject({
      code: 'OVERLOADED',
      status: 503,
      title: kitErrors.specs.OVERLOADED.title,
    });
    expect((await app.inject('/health/live')).statusCode).toBe(200);

    // Refused requests are counted on one warning a second, not written one line each.
    let refused = 1;
    for (let i = 0; i < 20; i++) {
      blockEventLoop(30);
      if ((await app.inject('/work')).statusCode === 503) refused++;
    }
    const warnings = logs.lines
      .map((line) => JSON.parse(line) as { msg: string; refused: number; type: string })
      .filter((r) => r.msg === 'shedding load');
    expect(refused).toBeGreaterThan(warnings.length);
    expect(warnings.reduce((sum, r) => sum + r.refused, 0)).toBeLessThanOrEqual(refused);
    expect(warnings[0]).toMatchObject({ type: 'eventLoopDelay', refused: 1 });
  });
});

describe('load shedding after start-up', () => {
  it('does not refuse the first requests for the event-loop delay of the start-up itself', async () => {
    // A start-up that holds the event loop (modules, schemas, a busy machine) is measured
    // by the first sample: counted as load, it refused every request for a sample
    // interval once the service said it was ready.
    ({ app } = await buildTestApp({
      maxEventLoopDelayMs: 20,
      sampleIntervalMs: 200,
      routes: async (scope) => {
        blockEventLoop(300);
        scope.get('/work', async () => ({ done: true }));
      },
    }));
    // Watched for three sample intervals: the sample that measured the start-up falls in
    // them (it refused from ~60 ms to ~220 ms after ready before this was mended).
    const watchedUntil = Date.now() + 600;
    const statuses = new Set<number>();
    while (Date.now() < watchedUntil) {
      statuses.add((await app.inject('/work')).statusCode);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect([...statuses]).toEqual([200]);

    // Load once the service runs is still refused.
    expect((await overloadUntilShed(300)).statusCode).toBe(503);
  });
});

/** Holds the event loop `blockMs` at a time until `/work` is refused, for 5 s at most. */
async function overloadUntilShed(blockMs: number) {
  const deadline = Date.now() + 5_000;
  let answer = await app.inject('/work');
  while (answer.statusCode !== 503 && Date.now() < deadline) {
    blockEventLoop(blockMs);
    await new Promise((resolve) => setTimeout(resolve, 10));
    answer = await app.inject('/work');
  }
  return answer;
}

function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy-wait on purpose: this is the overload the shedding reacts to.
  }
}
