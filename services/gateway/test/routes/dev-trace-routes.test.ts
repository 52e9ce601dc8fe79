import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SegmentDocument } from '@storekeeper/contracts/traces';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestGateway, type StandIns, startStandIns, type TestGateway } from '../helper.ts';

const traceId = '1-6930a1b2-0123456789abcdef01234567';
/** An order placement: the gateway's segment and its call to the order service. */
const placement: SegmentDocument = {
  id: 'a000000000000001',
  trace_id: traceId,
  name: 'gateway',
  start_time: 100,
  end_time: 100.05,
  annotations: { route: '/api/orders' },
  http: { request: { method: 'POST' }, response: { status: 202 } },
  subsegments: [
    {
      id: 'a000000000000002',
      trace_id: traceId,
      name: 'order',
      namespace: 'remote',
      start_time: 100.001,
      end_time: 100.049,
      http: { request: { method: 'POST', url: 'http://127.0.0.1:3002/orders' } },
    },
  ],
};
/** A later request of another kind. */
const profile: SegmentDocument = {
  id: 'c000000000000001',
  trace_id: '1-6930a1b3-fedcba9876543210fedcba98',
  name: 'gateway',
  start_time: 200,
  end_time: 200.004,
  annotations: { route: '/api/users/me' },
  http: { request: { method: 'GET' }, response: { status: 200 } },
};

let services: StandIns;
let dir: string;
let file: string;
let gateway: TestGateway | undefined;
beforeAll(async () => {
  services = await startStandIns();
  dir = await mkdtemp(join(tmpdir(), 'gateway-traces-'));
  file = join(dir, 'segments.jsonl');
  await writeFile(file, `${[placement, profile].map((s) => JSON.stringify(s)).join('\n')}\n`);
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});
afterAll(async () => {
  await services.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /api/dev/traces (development only)', () => {
  it('serves a trace as the spans pnpm trace prints, and the latest order’s', async () => {
    gateway = await buildTestGateway(services, { DEV_TRACE_FILE: file });
    const one = await gateway.app.inject({ method: 'GET', url: `/api/dev/traces/${traceId}` });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({
      traceId,
      durationMs: 50,
      services: ['gateway'],
      spans: [
        {
          depth: 0,
          service: 'gateway',
          operation: 'POST /api/orders',
          offsetMs: 0,
          durationMs: 50,
          status: '202',
        },
        {
          depth: 1,
          service: 'gateway',
          operation: '→ order POST /orders',
          offsetMs: 1,
          durationMs: 48,
          status: 'ok',
        },
      ],
    });
    const latestOrder = await gateway.app.inject({ method: 'GET', url: '/api/dev/traces/latest' });
    expect(latestOrder.json().traceId).toBe(traceId);
    const latest = await gateway.app.inject({
      method: 'GET',
      url: '/api/dev/traces/latest?of=request',
    });
    expect(latest.json().traceId).toBe(profile.trace_id);
  });

  it('answers 404 problem+json for a trace it does not have, 400 for what is not a trace id', async () => {
    gateway = await buildTestGateway(services, { DEV_TRACE_FILE: join(dir, 'none.jsonl') });
    const missing = await gateway.app.inject({ method: 'GET', url: `/api/dev/traces/${traceId}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'TRACE_NOT_FOUND' });
    const noOrder = await gateway.app.inject({ method: 'GET', url: '/api/dev/traces/latest' });
    expect(noOrder.json()).toMatchObject({ code: 'TRACE_NOT_FOUND' });
    const bad = await gateway.app.inject({ method: 'GET', url: '/api/dev/traces/..%2Fetc' });
    expect(bad.statusCode).toBe(400);
  });

  it('does not exist in production', async () => {
    gateway = await buildTestGateway(services, { DEV_TRACE_FILE: file, NODE_ENV: 'production' });
    const answer = await gateway.app.inject({ method: 'GET', url: `/api/dev/traces/${traceId}` });
    expect(answer.statusCode).toBe(404);
    expect(answer.json().code).toBe('NOT_FOUND');
  });

  it('says where traces come from when none are kept', async () => {
    gateway = await buildTestGateway(services);
    const answer = await gateway.app.inject({ method: 'GET', url: '/api/dev/traces/latest' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toMatchObject({ code: 'TRACE_NOT_FOUND' });
    expect(answer.json().detail).toContain('pnpm start');
  });
});
