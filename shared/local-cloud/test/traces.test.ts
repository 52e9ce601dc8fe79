import { createSocket } from 'node:dgram';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exampleGatewaySegment,
  exampleOrderSegment,
  exampleTraceId,
  type SegmentDocument,
} from '@storekeeper/contracts/traces';
import { afterEach, describe, expect, it } from 'vitest';
import { receiveSegments } from '../src/traces/receive-segments.ts';
import { appendSegmentsTo, readTraces } from '../src/traces/trace-file.ts';
import { renderWaterfall } from '../src/traces/waterfall.ts';

const trace = exampleTraceId;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const gateway = exampleGatewaySegment;
const order = exampleOrderSegment;

describe('renderWaterfall', () => {
  it('puts each service under the call that caused it, in time order, with offsets and status', () => {
    const lines = renderWaterfall([order, gateway]).split('\n');
    expect(lines[0]).toContain(`trace ${trace}: 80.0 ms, 2 services`);
    const rows = lines.slice(2);
    expect(rows.map((row) => row.split(/\s{2,}/).slice(1, 5))).toEqual([
      ['0.0', '80.0', 'gateway', 'POST /api/orders'],
      ['2.0', '76.0', 'gateway', '→ order POST /orders'],
      ['3.0', '67.0', 'order', 'POST /orders'],
      ['10.0', '2.0', 'order', 'SQL SELECT 1'],
    ]);
    expect(rows[2]).toContain('503!');
    // Indentation follows the call tree.
    expect(rows[3]?.indexOf('SQL')).toBeGreaterThan(rows[2]?.indexOf('POST') ?? 0);
  });
});

describe('trace file', () => {
  async function tempFile() {
    const dir = await mkdtemp(join(tmpdir(), 'sk-traces-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return join(dir, 'traces', 'segments.jsonl');
  }

  it('groups segments by trace and keeps the last version of a segment sent twice', async () => {
    const path = await tempFile();
    const file = await appendSegmentsTo(path);
    file.append({ ...order, in_progress: true, end_time: undefined } as SegmentDocument);
    file.append(gateway);
    file.append(order);
    file.append({ ...gateway, id: 'c000000000000001', trace_id: '1-other' });
    await file.close();

    const traces = await readTraces(path);
    expect([...traces.keys()]).toEqual([trace, '1-other']);
    expect(traces.get(trace)?.map((s) => [s.name, s.in_progress ?? false])).toEqual([
      ['gateway', false],
      ['order', false],
    ]);
  });

  it('rotates past its size bound and still reads the rotated part', async () => {
    const path = await tempFile();
    const file = await appendSegmentsTo(path, { maxBytes: 1_000 });
    for (let i = 0; i < 6; i++) {
      file.append({ ...gateway, id: `d00000000000000${i}`, trace_id: `1-t${i}` });
    }
    await file.close();

    expect((await stat(`${path}.1`)).size).toBeGreaterThan(1_000);
    expect((await stat(path)).size).toBeLessThan(1_000);
    const traces = await readTraces(path);
    // What rotated twice is gone; the last two parts remain, in order.
    expect([...traces.keys()].at(-1)).toBe('1-t5');
    expect(traces.size).toBeGreaterThanOrEqual(2);
  });
});

/** The UDP `host:port` of a daemon address in either of its forms. */
const udpPart = (address: string) => /udp:(\S+)/.exec(address)?.[1] ?? address;

describe('receiveSegments', () => {
  it('reads the daemon protocol and ignores anything else', async () => {
    const received: SegmentDocument[] = [];
    const { promise: first, resolve } = Promise.withResolvers<void>();
    const receiver = await receiveSegments(
      (s) => {
        received.push(s);
        resolve();
      },
      { port: 0 },
    );
    cleanups.push(() => receiver.close());
    const [host, port] = udpPart(receiver.address).split(':');
    const sender = createSocket('udp4');
    cleanups.push(() => new Promise((resolve) => sender.close(() => resolve(undefined))));
    const send = (text: string) =>
      new Promise((resolve) => sender.send(text, Number(port), host, resolve));

    await send('not a segment');
    await send('{"format":"json","version":1}\n{"broken"');
    await send(`{"format":"json","version":1}\n${JSON.stringify(gateway)}`);

    // Datagrams on 127.0.0.1 arrive in order: once the segment is here, so were the others.
    await first;
    expect(received).toEqual([gateway]);
  });

  it('takes PutTraceSegments batches on the same port, TCP, as the daemon’s proxy does', async () => {
    const received: SegmentDocument[] = [];
    const receiver = await receiveSegments((s) => received.push(s), { port: 0 });
    cleanups.push(() => receiver.close());
    const tcp = /tcp:(\S+)/.exec(receiver.address)?.[1] ?? receiver.address;
    const put = (body: string, path = '/TraceSegments') =>
      fetch(`http://${tcp}${path}`, { method: 'POST', body });

    const taken = await put(
      JSON.stringify({
        TraceSegmentDocuments: [JSON.stringify(gateway), '{"broken"', JSON.stringify(order)],
      }),
    );
    const refused = await put('{"TraceSegmentDocuments": "not a list"}');
    const elsewhere = await put('{}', '/GetSamplingRules');

    expect(taken.status).toBe(200);
    expect(
      ((await taken.json()) as { UnprocessedTraceSegments: unknown[] }).UnprocessedTraceSegments,
    ).toHaveLength(1);
    expect(received).toEqual([gateway, order]);
    expect(refused.status).toBe(400);
    expect(elsewhere.status).toBe(404);
  });

  it('takes another port when the one asked for is in use', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(() => resolve(undefined))));
    const busy = taken.address().port;

    const receiver = await receiveSegments(() => undefined, { port: busy });
    cleanups.push(() => receiver.close());
    expect(receiver.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(receiver.address).not.toBe(`127.0.0.1:${busy}`);
  });
});
