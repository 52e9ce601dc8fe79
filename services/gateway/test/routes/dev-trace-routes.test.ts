import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exampleGatewaySegment,
  exampleOrderSegment,
  exampleProfileSegment,
  exampleTraceId,
  traceView,
} from '@storekeeper/contracts/traces';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestGateway, type StandIns, startStandIns, type TestGateway } from '../helper.ts';

// An order placement (gateway → order, SQL, a 503) and a later request of another kind.
const traceId = exampleTraceId;
const placement = [exampleGatewaySegment, exampleOrderSegment];
const profile = exampleProfileSegment;

let services: StandIns;
let dir: string;
let file: string;
let gateway: TestGateway | undefined;
beforeAll(async () => {
  services = await startStandIns();
  dir = await mkdtemp(join(tmpdir(), 'gateway-traces-'));
  file = join(dir, 'segments.jsonl');
  await writeFile(file, `${[...placement, profile].map((s) => JSON.stringify(s)).join('\n')}\n`);
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
    // The spans themselves are traceView's (tested in the contracts): served as it builds them.
    expect(one.json()).toEqual(traceView(placement));
    expect(one.json()).toMatchObject({ traceId, services: ['gateway', 'order'] });
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
