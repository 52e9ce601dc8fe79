import {
  describeWithBackends,
  type OtlpReceiver,
  requireBackends,
  type SegmentDocument,
  startOtlpReceiver,
  startTraceCollector,
  type TraceCollector,
  waitFor,
} from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { type ApiClient, createApiClient } from '../src/api-client.ts';
import { type SystemUnderTest, startSystem } from '../src/start-system.ts';
import { verifiedCustomer } from '../src/verified-customer.ts';

const services = ['gateway', 'user', 'order', 'billing', 'email'];
const rootOf = (header: string | null) => /Root=([^;]+)/.exec(header ?? '')?.[1] ?? '';

async function placeAnOrder(api: ApiClient, token: string) {
  const products = await api.get<{ items: { sku: string }[] }>('/api/products');
  const sku = products.body.items[0]?.sku ?? '';
  return api.postWith<{ id: string; status: string }>(
    '/api/orders',
    { items: [{ sku, quantity: 1 }] },
    { token, headers: { 'idempotency-key': crypto.randomUUID() } },
  );
}

interface Sinks {
  readonly collector: TraceCollector;
  readonly receiver: OtlpReceiver;
}
const xray = ({ collector }: Sinks) => ({
  AWS_XRAY_DAEMON_ADDRESS: collector.address,
  TRACING_SAMPLING_RATE: '1',
});
const otel = ({ receiver }: Sinks) => ({
  TRACING: 'otel',
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  TRACING_SAMPLING_RATE: '1',
});

/** The whole system, each service traced as `tracingOf` says, with both kinds of receiver. */
async function startTracedSystem(
  tracingOf: (service: string, sinks: Sinks) => Record<string, string>,
) {
  const sinks = { collector: await startTraceCollector(), receiver: await startOtlpReceiver() };
  const system = await startSystem({
    connection: requireBackends().connection,
    env: Object.fromEntries(services.map((name) => [name, tracingOf(name, sinks)])),
  });
  return {
    ...sinks,
    system,
    api: createApiClient(system.gatewayUrl),
    async stop() {
      await system.stop();
      await sinks.receiver.close();
      await sinks.collector.close();
    },
  };
}

/**
 * One order, one trace: every service sends its segments to a collector that speaks the
 * X-Ray daemon protocol (UDP on 127.0.0.1), as the daemon sidecar would receive them.
 */
describeWithBackends('one trace per order (X-Ray)', () => {
  let collector: TraceCollector;
  let system: SystemUnderTest;
  let api: ApiClient;

  beforeAll(async () => {
    const traced = await startTracedSystem((_service, sinks) => xray(sinks));
    ({ collector, system, api } = traced);
    return traced.stop;
  });

  /** Every segment and subsegment of a trace, flattened, with its segment's name. */
  function flatten(segments: readonly SegmentDocument[]) {
    const out: { segment: SegmentDocument; node: SegmentDocument }[] = [];
    const walk = (segment: SegmentDocument, node: SegmentDocument) => {
      out.push({ segment, node });
      for (const child of node.subsegments ?? []) walk(segment, child);
    };
    for (const segment of segments) walk(segment, segment);
    return out;
  }

  const placeOrder = (token: string) => placeAnOrder(api, token);

  it('follows an order from the gateway through order, user, billing, order and email', async () => {
    const customer = await verifiedCustomer(api);
    const placed = await placeOrder(customer.token);
    expect(placed.status, JSON.stringify(placed.body)).toBe(202);
    const root = rootOf(placed.headers.get('x-amzn-trace-id'));
    expect(root).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);

    const all = await collector.waitFor(
      (received) => {
        const trace = received.filter((s) => s.trace_id === root);
        const names = trace.map((s) => s.name);
        return (
          ['gateway', 'user', 'billing', 'email'].every((name) => names.includes(name)) &&
          names.filter((name) => name === 'order').length >= 2
        );
      },
      { timeoutMs: 30_000, description: `every service's segments of trace ${root}` },
    );
    const trace = all.filter((s) => s.trace_id === root);
    const nodes = flatten(trace);
    const byId = new Map(nodes.map(({ segment, node }) => [node.id, { segment, node }]));
    const parentOf = (segment: SegmentDocument) => byId.get(segment.parent_id ?? '');
    const only = (name: string, operation?: string) => {
      const found = trace.filter(
        (s) => s.name === name && (!operation || s.annotations?.operation === operation),
      );
      expect(found, `${name} ${operation ?? ''}`).toHaveLength(1);
      return found[0] as SegmentDocument;
    };

    // The request: gateway → order (placement) → user (the chained call).
    const gateway = only('gateway');
    expect(gateway.parent_id).toBeUndefined();
    expect(gateway.annotations).toMatchObject({ route: '/api/orders' });
    const placement = trace.find((s) => s.name === 'order' && s.annotations?.route);
    expect(placement && parentOf(placement)?.segment.id).toBe(gateway.id);
    expect(placement && parentOf(placement)?.node).toMatchObject({
      name: 'order',
      namespace: 'remote',
    });
    const userCheck = only('user');
    expect(parentOf(userCheck)?.segment.id).toBe(placement?.id);

    // The saga: each consumer continues from the segment that wrote the event.
    const charge = only('billing', 'order.placed');
    expect(parentOf(charge)?.segment.id).toBe(placement?.id);
    const confirmation = only('order', 'payment.succeeded');
    expect(parentOf(confirmation)?.segment.id).toBe(charge.id);
    const email = only('email', 'order.confirmed');
    expect(parentOf(email)?.segment.id).toBe(confirmation.id);

    // SQL and AWS calls as subsegments.
    const sql = nodes.filter(({ node }) => node.sql);
    expect(new Set(sql.map(({ segment }) => segment.name))).toEqual(
      new Set(['order', 'user', 'billing']),
    );
    const awsCalls = nodes.filter(({ node }) => node.namespace === 'aws');
    expect(awsCalls.map(({ segment }) => segment.name)).toContain('email');
    expect(trace.every((s) => !s.fault)).toBe(true);
  });

  it('puts the trace id on every log line of that order', async () => {
    const customer = await verifiedCustomer(api);
    const placed = await placeOrder(customer.token);
    const root = rootOf(placed.headers.get('x-amzn-trace-id'));
    await collector.waitFor((s) => s.some((x) => x.trace_id === root && x.name === 'email'), {
      timeoutMs: 30_000,
      description: 'the confirmation email of the order',
    });

    const lines = (service: string) =>
      system
        .service(service)
        .lines.filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ofOrder = [
      ...lines('gateway').filter((l) => l.requestId === placed.headers.get('x-request-id')),
      ...lines('billing').filter((l) => JSON.stringify(l).includes(placed.body.id)),
    ];
    // Services write their lines in batches (a quarter second at most when quiet).
    await waitFor(
      () => lines('gateway').some((l) => l.url === '/api/orders' && l.traceId === root),
      { timeout: 5_000, description: "the gateway's line of the order" },
    );
    const traced = await waitFor(
      () => {
        const found = [...lines('billing'), ...lines('order'), ...lines('email')].filter(
          (l) => l.traceId === root,
        );
        return found.length > 0 ? found : undefined;
      },
      { timeout: 5_000, description: 'lines of the order from the services behind the gateway' },
    );
    expect(traced.length).toBeGreaterThan(0);
    for (const line of ofOrder) expect(line.traceId, JSON.stringify(line)).toBe(root);
  });

  it('marks the call to a service that is down as a fault', async () => {
    const customer = await verifiedCustomer(api);
    await system.stopService('user');
    try {
      const placed = await placeOrder(customer.token);
      expect(placed.status).toBe(503);
      const root = rootOf(placed.headers.get('x-amzn-trace-id'));
      const received = await collector.waitFor(
        (s) => s.some((x) => x.trace_id === root && x.name === 'order'),
        { description: 'the order segment of the failed placement' },
      );
      const order = received.find((s) => s.trace_id === root && s.name === 'order');
      const call = order?.subsegments?.find((s) => s.name === 'user');
      expect(call?.fault).toBe(true);
      expect(order?.fault).toBe(true);
    } finally {
      await system.startService('user');
      await waitFor(async () => (await api.get('/api/users/me', customer.token)).status === 200, {
        timeout: 20_000,
        description: 'the user service back',
      });
    }
  });
});

/**
 * The same journey with every service on OpenTelemetry (TRACING=otel): OTLP/HTTP to a
 * receiver standing in for the CloudWatch agent, trace ids and headers in the X-Ray format.
 */
describeWithBackends('one trace per order (OpenTelemetry)', () => {
  let receiver: OtlpReceiver;
  let api: ApiClient;

  beforeAll(async () => {
    const traced = await startTracedSystem((_service, sinks) => otel(sinks));
    ({ receiver, api } = traced);
    return traced.stop;
  });

  it('follows an order through the same services in one trace, every span linked', async () => {
    const customer = await verifiedCustomer(api);
    const placed = await placeAnOrder(api, customer.token);
    expect(placed.status, JSON.stringify(placed.body)).toBe(202);
    const root = rootOf(placed.headers.get('x-amzn-trace-id'));
    const traceId = root.replace(/^1-/, '').replace('-', '');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const consumed = [
      'order.placed process',
      'payment.succeeded process',
      'order.confirmed process',
    ];
    const all = await receiver.waitFor(
      (spans) => {
        // Each service exports on its own schedule: wait for every one of them.
        const trace = spans.filter((s) => s.traceId === traceId);
        const ids = new Set(trace.map((s) => s.spanId));
        return (
          consumed.every((name) => trace.some((s) => s.name === name)) &&
          services.every((service) => trace.some((s) => s.service === service)) &&
          trace.every((s) => !s.parentSpanId || ids.has(s.parentSpanId))
        );
      },
      { timeoutMs: 30_000, description: `the spans of trace ${traceId}` },
    );
    const trace = all.filter((s) => s.traceId === traceId);
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(services));
    const ids = new Set(trace.map((s) => s.spanId));
    const roots = trace.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => [s.service, s.name])).toEqual([['gateway', 'POST /api/orders']]);
    for (const span of trace) {
      if (span.parentSpanId) expect(ids.has(span.parentSpanId), span.name).toBe(true);
    }
    const byName = (name: string) => trace.find((s) => s.name === name);
    expect(byName('order.placed process')?.service).toBe('billing');
    expect(byName('payment.succeeded process')?.service).toBe('order');
    expect(byName('order.confirmed process')?.service).toBe('email');
    expect(trace.some((s) => s.attributes['db.system.name'] === 'postgresql')).toBe(true);
    expect(trace.some((s) => s.attributes['rpc.system'] === 'aws-api')).toBe(true);
    expect(trace.every((s) => s.status?.code !== 2)).toBe(true);
  });
});

/**
 * Moving off the X-Ray SDK one service at a time: the gateway still on X-Ray, the rest on
 * OpenTelemetry, and still one trace, the order service's span the child of the gateway's
 * call to it.
 */
describeWithBackends(
  'one trace across both backends (gateway X-Ray, the rest OpenTelemetry)',
  () => {
    let collector: TraceCollector;
    let receiver: OtlpReceiver;
    let api: ApiClient;

    beforeAll(async () => {
      const traced = await startTracedSystem((service, sinks) =>
        service === 'gateway' ? xray(sinks) : otel(sinks),
      );
      ({ collector, receiver, api } = traced);
      return traced.stop;
    });

    it('links the OpenTelemetry spans under the X-Ray segment that called them', async () => {
      const customer = await verifiedCustomer(api);
      const placed = await placeAnOrder(api, customer.token);
      const root = rootOf(placed.headers.get('x-amzn-trace-id'));
      const traceId = root.replace(/^1-/, '').replace('-', '');

      const [gateway] = (
        await collector.waitFor((s) => s.some((x) => x.trace_id === root), {
          description: 'the gateway segment',
        })
      ).filter((s) => s.trace_id === root);
      const spans = await receiver.waitFor(
        (all) =>
          ['POST /orders', 'order.placed process'].every((name) =>
            all.some((s) => s.traceId === traceId && s.name === name),
          ),
        { timeoutMs: 30_000, description: 'billing handling the order, on OpenTelemetry' },
      );
      const placement = spans.find((s) => s.traceId === traceId && s.name === 'POST /orders');
      const call = gateway?.subsegments?.find((s) => s.name === 'order');
      expect(call?.id).toBeDefined();
      expect(placement?.service).toBe('order');
      expect(placement?.parentSpanId).toBe(call?.id);
    });
  },
);
