import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  createTestDatabase,
  describeWithBackends,
  requireBackends,
  type SegmentDocument,
  startOtlpReceiver,
  startTraceCollector,
  type TraceCollector,
  waitFor,
} from '@storekeeper/testing';
import { Type } from 'typebox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../src/aws-clients.ts';
import { buildServiceApp, type ServiceApp } from '../src/build-service-app.ts';
import { createLifecycle } from '../src/lifecycle.ts';
import { createLogger } from '../src/logger.ts';
import { createPostgresPool, withTransaction } from '../src/postgres.ts';
import { createServiceClient, type ServiceClient } from '../src/service-client.ts';
import {
  installTracing,
  startTracing,
  type Tracing,
  traceIdOfCurrentWork,
  tracing,
  tracingOff,
} from '../src/tracing/tracing.ts';
import { createXRayTracing } from '../src/tracing/xray-tracing.ts';
import { createLogCapture } from './helper.ts';

const execFileAsync = promisify(execFile);

/**
 * X-Ray tracing against a collector that reads what the daemon reads (its TCP proxy's
 * PutTraceSegments and its UDP protocol, on 127.0.0.1):
 * two real services, one calling the other through the kit's client.
 */

let collector: TraceCollector;
let previous: Tracing;
const opened: { close(): Promise<unknown> }[] = [];

beforeEach(async () => {
  collector = await startTraceCollector();
  const logger = createLogger({ service: 'tracing-test', level: 'warn' });
  previous = installTracing(
    await startTracing(
      'front',
      { AWS_XRAY_DAEMON_ADDRESS: collector.address, TRACING_SAMPLING_RATE: 1 },
      logger,
    ),
  );
});

afterEach(async () => {
  for (const resource of opened.splice(0).reverse()) await resource.close();
  installTracing(previous);
  await collector.close();
});

/** A trace header as an upstream (an ALB, another service) would send it. */
function incomingHeader(): { root: string; header: string } {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return { root, header: `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=1` };
}

async function serviceApp(
  name: string,
  routes: (app: ServiceApp) => void,
  logs = createLogCapture(),
): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name,
    logger: createLogger({
      service: name,
      level: 'info',
      destination: logs.stream,
      mixin: traceIdOfCurrentWork,
    }),
    lifecycle: createLifecycle(),
    readiness: [],
    loadShedding: { maxEventLoopDelayMs: 0 },
    routes: async (app) => routes(app as ServiceApp),
  });
  opened.push(app);
  return app;
}

/** The downstream service, listening, and a client of it. */
async function backService(): Promise<ServiceClient> {
  const back = await serviceApp('back', (app) => {
    app.post('/echo', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async (request) => {
      // A turn of the event loop between reading the body and answering.
      await new Promise((resolve) => setImmediate(resolve));
      return { n: request.body.n, traceId: tracing().currentTraceId() };
    });
    app.get('/broken', async (_request, reply) => reply.code(500).send({ oops: true }));
  });
  const url = await back.listen({ host: '127.0.0.1', port: 0 });
  const client = createServiceClient({
    name: 'back',
    baseUrl: url,
    logger: createLogger({ service: 'front', level: 'silent' }),
    retries: 0,
  });
  opened.push(client);
  return client;
}

const byName = (segments: readonly SegmentDocument[], name: string) =>
  segments.filter((s) => s.name === name);

describe('X-Ray tracing', () => {
  it('continues the caller’s trace across an HTTP hop, parent to child', async () => {
    const back = await backService();
    const front = await serviceApp('front', (app) => {
      app.get(
        '/things',
        async () => (await back.request({ method: 'POST', path: '/echo', body: { n: 1 } })).body,
      );
    });
    const { root, header } = incomingHeader();

    const response = await front.inject({
      method: 'GET',
      url: '/things',
      headers: { 'x-amzn-trace-id': header },
    });

    expect(response.statusCode).toBe(200);
    expect(response.headers['x-amzn-trace-id']).toBe(`Root=${root}`);
    expect(response.json()).toMatchObject({ n: 1, traceId: root });
    const segments = await collector.waitFor((s) => s.length >= 2);
    const [frontSegment] = byName(segments, 'front');
    const [backSegment] = byName(segments, 'back');
    expect(frontSegment?.trace_id).toBe(root);
    expect(backSegment?.trace_id).toBe(root);
    const call = frontSegment?.subsegments?.find((s) => s.name === 'back');
    expect(call).toMatchObject({
      namespace: 'remote',
      http: { request: { method: 'POST' }, response: { status: 200 } },
    });
    expect(backSegment?.parent_id).toBe(call?.id);
    expect(frontSegment?.annotations).toMatchObject({ route: '/things' });
    expect(backSegment?.http?.response?.status).toBe(200);
  });

  it('starts a trace when a request comes without one, and says so in the response', async () => {
    const front = await serviceApp('front', (app) => {
      app.get('/alone', async () => ({ ok: true }));
    });
    const response = await front.inject({ method: 'GET', url: '/alone' });
    const [segment] = await collector.waitFor((s) => s.length >= 1);
    expect(segment?.parent_id).toBeUndefined();
    expect(response.headers['x-amzn-trace-id']).toBe(`Root=${segment?.trace_id}`);
  });

  it('marks a call answered with 5xx as a fault, and the 5xx it causes too', async () => {
    const back = await backService();
    const front = await serviceApp('front', (app) => {
      app.get('/relay', async (_request, reply) => {
        const answer = await back.request({ method: 'GET', path: '/broken' });
        return reply.code(answer.status === 500 ? 502 : 200).send({ status: answer.status });
      });
      app.get('/missing', async (_request, reply) => reply.code(404).send({ nope: true }));
    });

    await front.inject({ method: 'GET', url: '/relay' });
    await front.inject({ method: 'GET', url: '/missing' });

    const segments = await collector.waitFor((s) => byName(s, 'front').length >= 2);
    const relay = byName(segments, 'front').find((s) => s.annotations?.route === '/relay');
    const call = relay?.subsegments?.find((s) => s.name === 'back');
    expect(call?.fault).toBe(true);
    expect(relay?.fault).toBe(true);
    const missing = byName(segments, 'front').find((s) => s.annotations?.route === '/missing');
    expect(missing?.error).toBe(true);
    expect(missing?.fault).toBeUndefined();
  });

  it('keeps every concurrent request in its own trace, across awaits and request bodies', async () => {
    const back = await backService();
    const logs = createLogCapture();
    const front = await serviceApp(
      'front',
      (app) => {
        app.post(
          '/relay',
          { schema: { body: Type.Object({ n: Type.Integer() }) } },
          async (request) => {
            request.log.info({ n: request.body.n }, 'relaying');
            const answer = await back.request({
              method: 'POST',
              path: '/echo',
              body: { n: request.body.n },
            });
            return { ...(answer.body as object), frontTraceId: tracing().currentTraceId() };
          },
        );
      },
      logs,
    );
    const requests = Array.from({ length: 40 }, (_, n) => ({ n, ...incomingHeader() }));

    // Over real sockets: a body that arrives on a later socket event is the case where
    // the context would be lost.
    const url = await front.listen({ host: '127.0.0.1', port: 0 });
    const answers = await Promise.all(
      requests.map(async ({ n, header }) => {
        const response = await fetch(`${url}/relay`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-amzn-trace-id': header },
          body: JSON.stringify({ n }),
        });
        return response.json();
      }),
    );

    for (const [i, answer] of answers.entries()) {
      const { root } = requests[i] ?? { root: '' };
      expect(answer).toEqual({ n: i, traceId: root, frontTraceId: root });
    }
    const segments = await collector.waitFor((s) => s.length >= 2 * requests.length, {
      description: 'a front and a back segment for every request',
    });
    for (const { root } of requests) {
      const fronts = segments.filter((s) => s.name === 'front' && s.trace_id === root);
      const backs = segments.filter((s) => s.name === 'back' && s.trace_id === root);
      expect(fronts).toHaveLength(1);
      expect(backs).toHaveLength(1);
      const calls = fronts[0]?.subsegments ?? [];
      expect(calls).toHaveLength(1);
      expect(backs[0]?.parent_id).toBe(calls[0]?.id);
    }
    const relaying = logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'relaying');
    expect(relaying).toHaveLength(requests.length);
    for (const line of relaying) expect(line.traceId).toBe(requests[line.n]?.root);
  });

  it('continues a trace from a message in a segment of its own', async () => {
    const { root, header } = incomingHeader();
    const parent = /Parent=([0-9a-f]+)/.exec(header)?.[1];

    const seen = await tracing().inSegment(
      'order.placed',
      header,
      async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return tracing().currentTraceHeader();
      },
      { queue: 'storekeeper-billing' },
    );

    const [segment] = await collector.waitFor((s) => s.length >= 1);
    expect(segment).toMatchObject({ name: 'front', trace_id: root, parent_id: parent });
    expect(segment?.annotations).toMatchObject({
      operation: 'order.placed',
      queue: 'storekeeper-billing',
    });
    // What the handler would write to the outbox: this trace, this segment as the parent.
    expect(seen).toBe(`Root=${root};Parent=${segment?.id};Sampled=1`);
  });

  it('marks a message whose handling throws as a fault', async () => {
    await expect(
      tracing().inSegment('order.placed', undefined, async () => {
        throw new Error('charge failed');
      }),
    ).rejects.toThrow('charge failed');
    const [segment] = await collector.waitFor((s) => s.length >= 1);
    expect(segment?.fault).toBe(true);
  });
});

describeWithBackends('X-Ray subsegments of real backends', () => {
  it('records each SQL statement with its text, never the password, a failure as a fault', async () => {
    await using db = await createTestDatabase('tracing');
    const pool = await createPostgresPool({
      connectionString: db.url,
      applicationName: 'tracing-test',
      logger: createLogger({ service: 'front', level: 'silent' }),
    });
    opened.push({ close: () => pool.end() });

    await tracing().inSegment('work', undefined, async () => {
      await pool.query('SELECT $1::int AS n', [7]);
      await expect(pool.query('SELECT nothing FROM nowhere')).rejects.toThrow();
      await withTransaction(pool, (tx) => tx.query('SELECT 2 AS two'));
    });

    const [segment] = await collector.waitFor((s) => s.length >= 1);
    const statements = segment?.subsegments ?? [];
    expect(statements.map((s) => s.name)).toEqual(Array(5).fill(db.name));
    expect(
      statements.slice(2).map((s) => (s.sql as { sanitized_query: string }).sanitized_query),
    ).toEqual(['BEGIN', 'SELECT 2 AS two', 'COMMIT']);
    expect(statements[0]).toMatchObject({
      namespace: 'remote',
      sql: { database_type: 'PostgreSQL', sanitized_query: 'SELECT $1::int AS n', user: db.role },
    });
    expect(statements[0]?.fault).toBeUndefined();
    expect(statements[1]?.fault).toBe(true);
    const password = decodeURIComponent(new URL(db.url).password);
    expect(JSON.stringify(segment)).not.toContain(password);
  });

  it('records each AWS call with service, operation and status; a 4xx is an error, not a fault', async () => {
    const { aws } = requireBackends().connection;
    const clients = createAwsClients(aws.region);
    opened.push({ close: async () => clients.destroy() });
    const sqs = clients.client(SQSClient, {
      endpoint: aws.endpoints.sqs ?? aws.endpoints.default ?? '',
      credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
    });

    await tracing().inSegment('work', undefined, async () => {
      await sqs.send(new ListQueuesCommand({}));
      await expect(
        sqs.send(
          new GetQueueUrlCommand({ QueueName: `missing-${randomBytes(4).toString('hex')}` }),
        ),
      ).rejects.toThrow();
    });

    const [segment] = await collector.waitFor((s) => s.length >= 1);
    const [listed, missing] = segment?.subsegments ?? [];
    expect(listed).toMatchObject({
      name: 'SQS',
      namespace: 'aws',
      aws: { operation: 'ListQueues' },
      http: { response: { status: 200 } },
    });
    expect(missing).toMatchObject({ name: 'SQS', aws: { operation: 'GetQueueUrl' }, error: true });
    expect(missing?.fault).toBeUndefined();
  });
});

describe('X-Ray segments on their way to the daemon', () => {
  /** The daemon's TCP proxy as the kit meets it: every body it is sent, answered 200 (or `status`). */
  async function daemonProxy(status = 200) {
    const bodies: { TraceSegmentDocuments: string[] }[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        expect(`${request.method} ${request.url}`).toBe('POST /TraceSegments');
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ UnprocessedTraceSegments: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    opened.push({ close: () => new Promise((resolve) => server.close(resolve)) });
    const segments = () =>
      bodies.flatMap((body) => body.TraceSegmentDocuments.map((d) => JSON.parse(d)));
    return { address: `tcp:127.0.0.1:${port} udp:127.0.0.1:9`, bodies, segments };
  }

  /** X-Ray tracing whose log lines, at `level`, are kept for assertions. */
  async function loggedXrayTracing(address: string, level: 'warn' | 'error') {
    const logs = createLogCapture();
    const traced = await xrayTracing(
      address,
      createLogger({ service: 'batch', level, destination: logs.stream }),
    );
    return { traced, logs };
  }

  /** The first log line with message `msg`, once one has been written (lines go in batches). */
  function lineSaying(logs: ReturnType<typeof createLogCapture>, msg: string) {
    return waitFor(() => logs.lines.map((line) => JSON.parse(line)).find((l) => l.msg === msg), {
      description: `a log line "${msg}"`,
    });
  }

  /** A daemon proxy that takes each call and never answers; its address. */
  async function hangingDaemon(): Promise<string> {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    opened.push({
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      },
    });
    const { port } = server.address() as AddressInfo;
    return `tcp:127.0.0.1:${port} udp:127.0.0.1:9`;
  }

  async function xrayTracing(
    address: string,
    logger = createLogger({ service: 'batch', level: 'silent' }),
  ) {
    const started = await startTracing(
      'batch',
      { AWS_XRAY_DAEMON_ADDRESS: address, TRACING_SAMPLING_RATE: 1 },
      logger,
    );
    opened.push(started);
    return started;
  }

  it('sends closed segments as PutTraceSegments calls of at most 50, and what is left at close', async () => {
    const proxy = await daemonProxy();
    const traced = await xrayTracing(proxy.address);

    await Promise.all(
      Array.from({ length: 120 }, (_, n) =>
        traced.inSegment(`work-${n}`, undefined, async () => n),
      ),
    );
    // 120 segments: two full batches go at once, the last 20 wait for the batch delay.
    await waitFor(() => proxy.bodies.length >= 2, { description: 'two full batches' });
    expect(proxy.bodies.slice(0, 2).map((b) => b.TraceSegmentDocuments.length)).toEqual([50, 50]);
    await traced.inSegment('last', undefined, async () => undefined);
    await traced.close();

    const segments = proxy.segments();
    expect(proxy.bodies.every((b) => b.TraceSegmentDocuments.length <= 50)).toBe(true);
    expect(new Set(segments.map((s) => s.annotations.operation)).size).toBe(121);
    for (const segment of segments) {
      expect(segment).toMatchObject({
        name: 'batch',
        trace_id: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/),
      });
      expect(segment.id).toMatch(/^[0-9a-f]{16}$/);
      expect(segment.end_time).toBeGreaterThanOrEqual(segment.start_time);
    }
    expect(new Set(segments.map((s) => s.id)).size).toBe(121);
  });

  it('writes each document as JSON inside a JSON string, whatever its strings hold', async () => {
    const awkward = [
      'say "hi"',
      'C:\\temp\\x',
      'line\nbreak\ttab\u0001',
      'emoji 🚀 and é',
      'lone \ud800 half',
      '</script>',
    ];
    const proxy = await daemonProxy();
    const traced = await xrayTracing(proxy.address);
    await Promise.all(
      awkward.map((text, n) =>
        traced
          .inSegment(
            text,
            undefined,
            async () => {
              throw new Error(`failed: ${text}`);
            },
            { n },
          )
          .catch(() => undefined),
      ),
    );
    await traced.close();

    const segments = proxy.segments();
    expect(segments.map((s) => s.annotations.operation).sort()).toEqual(awkward.toSorted());
    for (const segment of segments) {
      expect(segment.cause.exceptions[0].message).toBe(`failed: ${awkward[segment.annotations.n]}`);
    }
  });

  it('keeps a segment document under X-Ray’s 64 KB: its first subsegments, the rest counted', async () => {
    const proxy = await daemonProxy();
    const traced = await xrayTracing(proxy.address);
    // 60 calls, each making a call of its own: 120 subsegments of ~2 KB (long URLs). The
    // first 100 are kept by count; their ~210 KB of document is still too much.
    const url = (n: number) => `http://upstream/${n}/${'x'.repeat(1_990)}`;
    const call = (n: number, inner: () => Promise<unknown>) =>
      traced.traceCall({ service: 'upstream', method: 'GET', url: url(n) }, async () => {
        await inner();
        return { status: 200 };
      });
    await traced.inSegment('long', undefined, async () => {
      for (let n = 0; n < 60; n++) await call(n, () => call(1_000 + n, async () => undefined));
    });
    await traced.inSegment('short', undefined, async () => undefined);
    await traced.close();

    const documents = proxy.bodies.flatMap((body) => body.TraceSegmentDocuments);
    expect(documents).toHaveLength(2);
    const long = documents.find((d) => d.includes('"operation":"long"')) ?? '';
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(64 * 1024);
    type Sub = { http: { request: { url: string } }; subsegments?: Sub[] };
    const segment = JSON.parse(long) as {
      subsegments: Sub[];
      metadata: { storekeeper: { subsegments_dropped: number } };
      start_time: number;
      end_time: number;
    };
    const numberOf = (sub: Sub) => Number(sub.http.request.url.split('/')[3]);
    const kept = segment.subsegments;
    // The first calls, each with its own call inside; every subsegment kept or counted.
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.map(numberOf)).toEqual(kept.map((_, n) => n));
    expect(kept.map((sub) => sub.subsegments?.map(numberOf))).toEqual(
      kept.map((_, n) => [1_000 + n]),
    );
    expect(kept.length * 2 + segment.metadata.storekeeper.subsegments_dropped).toBe(120);
    expect(segment.end_time).toBeGreaterThan(segment.start_time);
    expect(url(0).length).toBeGreaterThan(2_000); // and each URL cut at 2,000
    expect(kept[0]?.http.request.url).toBe(url(0).slice(0, 2_000));
    // A short segment is left as it was.
    const short = JSON.parse(documents.find((d) => d.includes('"operation":"short"')) ?? '');
    expect(short.metadata).toBeUndefined();
  });

  it('cuts an exception’s message at 2,000 characters in the trace', async () => {
    const proxy = await daemonProxy();
    const traced = await xrayTracing(proxy.address);
    await traced
      .inSegment('failing', undefined, async () => {
        throw new Error('y'.repeat(10_000));
      })
      .catch(() => undefined);
    await traced.close();

    const [segment] = proxy.segments();
    expect(segment.cause.exceptions[0].message).toBe('y'.repeat(2_000));
  });

  it('lets shutdown finish when the daemon’s proxy takes a batch and never answers', async () => {
    const { traced, logs } = await loggedXrayTracing(await hangingDaemon(), 'warn');
    await traced.inSegment('work', undefined, async () => undefined);

    // Within the test's timeout: close() cuts the call it waited for, past its own bound,
    // and says what was lost, once.
    await expect(traced.close()).resolves.toBeUndefined();
    expect(logs.lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        component: 'xray',
        calls: 1,
        segments: 1,
        msg: 'shutdown dropped segments: the X-Ray daemon did not take them within 2 s',
      }),
    ]);
  });

  it('keeps the SDK’s and the batches’ warnings under a service logging errors only', async () => {
    const proxy = await daemonProxy(503);
    const { traced, logs } = await loggedXrayTracing(proxy.address, 'error');
    await traced.inSegment('work', undefined, async () => undefined);
    await traced.close();

    expect(proxy.bodies).toHaveLength(1); // refused: a warning at LOG_LEVEL=warn
    expect(logs.lines).toEqual([]);
  });

  it('holds at most a few MB of segments for a daemon that takes them and never answers', async () => {
    const { traced, logs } = await loggedXrayTracing(await hangingDaemon(), 'warn');
    // 400 segments of ~20 KB: 8 MB, twice what may be held.
    const note = 'x'.repeat(20_000);
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, n) =>
        traced.inSegment('work', undefined, async () => n, { note }),
      ),
    );
    expect(results).toHaveLength(400);
    const dropped = await lineSaying(logs, 'dropped segments: the X-Ray daemon is not keeping up');
    expect(dropped.heldBytes).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(dropped.heldBytes).toBeLessThan(4 * 1024 * 1024 + 21_000);
    expect(dropped.pending).toBeLessThan(2_000);
    await traced.close();
  });

  it('cuts a call the daemon’s proxy never answers, freeing its slot for the next batch', async () => {
    // The proxy holds its first four calls (every slot) without a word, then answers.
    const held: Promise<void>[] = [];
    const answered: string[][] = [];
    const server = createServer((request, response) => {
      if (held.length < 4) {
        held.push(new Promise((resolve) => request.socket.once('close', () => resolve())));
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        answered.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).TraceSegmentDocuments);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"UnprocessedTraceSegments":[]}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    opened.push({
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      },
    });
    const logs = createLogCapture();
    const traced = createXRayTracing({
      service: 'batch',
      daemonAddress: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      samplingRate: 1,
      logger: createLogger({ service: 'batch', level: 'warn', destination: logs.stream }),
      callTimeoutMs: 300,
    });
    opened.push(traced);
    const work = (name: string, count: number) =>
      Promise.all(
        Array.from({ length: count }, () => traced.inSegment(name, undefined, async () => 0)),
      );

    await work('held', 200);
    await waitFor(() => held.length === 4, { description: 'four calls held by the proxy' });
    await work('after', 50);

    // Each held call is cut at its bound, its socket closed; the waiting batch goes.
    await Promise.all(held);
    const [batch] = await waitFor(() => (answered.length > 0 ? answered : undefined), {
      description: 'the batch after the held calls',
    });
    expect(batch?.map((d) => JSON.parse(d).annotations.operation)).toEqual(
      Array.from({ length: 50 }, () => 'after'),
    );
    const warning = await lineSaying(logs, 'could not send segments to the X-Ray daemon');
    expect(warning.err.message).toBe('no answer within 300 ms');
  });

  it('never holds work back when the daemon is away: the work succeeds, one warning says why', async () => {
    const proxy = await daemonProxy(503);
    const { traced, logs } = await loggedXrayTracing(proxy.address, 'warn');

    const results = await Promise.all(
      Array.from({ length: 60 }, (_, n) => traced.inSegment('work', undefined, async () => n)),
    );
    await traced.close();

    expect(results).toEqual(Array.from({ length: 60 }, (_, n) => n));
    expect(proxy.bodies.length).toBeGreaterThanOrEqual(2);
    const warnings = () =>
      logs.lines.map((line) => JSON.parse(line)).filter((l) => l.level === 'warn');
    // Log lines are written in batches (ADR 0051): wait for the first.
    await waitFor(() => warnings().length > 0, { description: 'a warning' });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ msg: 'X-Ray refused segments', status: 503 });
  });
});

describe('tracing off', () => {
  /** Which tracing SDKs a fresh process has loaded after starting tracing with `settings`. */
  async function sdksLoadedWith(settings: Record<string, unknown>): Promise<string[]> {
    const tracingModule = new URL('../src/tracing/tracing.ts', import.meta.url).href;
    // Every module the process resolves, ESM and CommonJS alike.
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({
        resolve(specifier, context, next) {
          const resolved = next(specifier, context);
          loaded.push(resolved.url);
          return resolved;
        },
      });
      const { pino } = await import('pino');
      const { startTracing } = await import(${JSON.stringify(tracingModule)});
      await startTracing('probe', ${JSON.stringify(settings)}, pino({ level: 'silent' }));
      const sdks = ['aws-xray-sdk-core', '@opentelemetry/sdk-trace'];
      console.log(JSON.stringify(sdks.filter((sdk) => loaded.some((file) => file.includes(sdk)))));
      process.exit(0);`;
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: new URL('..', import.meta.url).pathname },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]');
  }

  it('loads no tracing SDK when off, and only its own SDK when on', async () => {
    expect(await sdksLoadedWith({ TRACING_SAMPLING_RATE: 1 })).toEqual([]);
    expect(
      await sdksLoadedWith({ AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000', TRACING_SAMPLING_RATE: 1 }),
    ).toEqual(['aws-xray-sdk-core']);
    expect(
      await sdksLoadedWith({
        TRACING: 'otel',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
        TRACING_SAMPLING_RATE: 1,
      }),
    ).toEqual(['@opentelemetry/sdk-trace']);
  });

  it('is off without TRACING or a daemon address, and changes nothing', async () => {
    const off = await startTracing(
      'front',
      { TRACING_SAMPLING_RATE: 1 },
      createLogger({ service: 't', level: 'silent' }),
    );
    expect(off).toBe(tracingOff);
    expect(off.currentTraceHeader()).toBeUndefined();
    await expect(
      off.traceCall({ service: 'x', method: 'GET', url: '/' }, async (h) => ({ status: 200, h })),
    ).resolves.toEqual({ status: 200, h: undefined });
  });
});

describe('OpenTelemetry export', () => {
  it('sends OTLP/HTTP that a collector reads: the service, the X-Ray trace, the parent', async () => {
    const receiver = await startOtlpReceiver();
    opened.push(receiver);
    const otel = await startTracing(
      'front',
      { TRACING: 'otel', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TRACING_SAMPLING_RATE: 1 },
      createLogger({ service: 'front', level: 'silent' }),
    );
    installTracing(otel);
    const app = await serviceApp('front', (app) => {
      app.get('/hello', async () => ({ hello: 'world' }));
    });
    const { root, header } = incomingHeader();
    const response = await app.inject({
      method: 'GET',
      url: '/hello',
      headers: { 'x-amzn-trace-id': header },
    });
    expect(response.statusCode).toBe(200);
    await otel.close();

    const [span, ...others] = receiver.spans();
    expect(others).toEqual([]);
    expect(span).toMatchObject({
      service: 'front',
      name: 'GET /hello',
      kind: 2,
      // X-Ray's 1-{8 hex}-{24 hex} is OpenTelemetry's 32-digit trace id.
      traceId: root.slice(2).replace('-', ''),
      parentSpanId: /Parent=([0-9a-f]{16})/.exec(header)?.[1],
    });
    expect(span?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span?.attributes['http.response.status_code']).toBe(200);
  });
});

describe('the X-Ray daemon address', () => {
  it('finds the daemon’s TCP proxy in both forms of AWS_XRAY_DAEMON_ADDRESS, and names the variable when it is neither', async () => {
    const { daemonProxyOf } = await import('../src/tracing/xray-tracing.ts');
    expect(daemonProxyOf('127.0.0.1:2000')).toEqual({ host: '127.0.0.1', port: 2000 });
    expect(daemonProxyOf('tcp:10.0.0.1:2000 udp:10.0.0.2:2001')).toEqual({
      host: '10.0.0.1',
      port: 2000,
    });
    expect(daemonProxyOf('udp:10.0.0.2:2001 tcp:10.0.0.1:2002')).toEqual({
      host: '10.0.0.1',
      port: 2002,
    });
    expect(daemonProxyOf('xray-daemon:2000')).toEqual({ host: 'xray-daemon', port: 2000 });
    expect(daemonProxyOf('[::1]:2000')).toEqual({ host: '::1', port: 2000 });
    expect(() => daemonProxyOf('localhost')).toThrow('AWS_XRAY_DAEMON_ADDRESS');
    expect(() => daemonProxyOf('udp:10.0.0.2:2001')).toThrow('AWS_XRAY_DAEMON_ADDRESS');
  });
});
