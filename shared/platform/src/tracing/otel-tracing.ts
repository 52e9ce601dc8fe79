import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  type IdGenerator,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { type ChildSubject, createTracing, type SpanBackend } from './create-tracing.ts';
import { randomHex } from './random-hex.ts';
import type { Tracing } from './tracing.ts';

export interface OtelTracingOptions {
  readonly service: string;
  /** Base URL of an OTLP/HTTP receiver (the CloudWatch agent or an ADOT collector). */
  readonly endpoint: string;
  /** Share of new traces kept; a trace's later services follow its first. */
  readonly samplingRate: number;
}

interface OtelSpan {
  readonly span: Span;
  /** The context with this span active: where its children and its header come from. */
  readonly context: Context;
}

const HEADER = 'x-amzn-trace-id';
const getter: TextMapGetter<Record<string, string>> = {
  get: (carrier, key) => carrier[key.toLowerCase()],
  keys: (carrier) => Object.keys(carrier),
};
const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key.toLowerCase()] = value;
  },
};

/**
 * Trace ids X-Ray accepts: the first 8 hex digits are the start time in epoch seconds.
 * (The same as @opentelemetry/id-generator-aws-xray, whose releases lag this SDK's major.)
 */
const xrayIds: IdGenerator = {
  generateTraceId: () =>
    Math.floor(Date.now() / 1000)
      .toString(16)
      .padStart(8, '0') + randomHex(24),
  generateSpanId: () => randomHex(16),
};

/**
 * OpenTelemetry, exported over OTLP/HTTP, with the X-Ray propagator and X-Ray trace ids:
 * a service on this backend and one on the X-Ray SDK join the same trace, so moving off
 * the X-Ray SDK is a configuration change (TRACING=otel), one service at a time.
 */
export function createOtelTracing(options: OtelTracingOptions): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service }),
    idGenerator: xrayIds,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.samplingRate) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: `${options.endpoint.replace(/\/$/, '')}/v1/traces`,
        }),
        scheduledDelayMillis: 1_000,
      }),
    ],
  });
  const tracer = provider.getTracer('@storekeeper/platform');
  const propagator = new AWSXRayPropagator();

  const start = (name: string, kind: SpanKind, parent: Context, attributes: Attributes) => {
    const span = tracer.startSpan(name, { kind, attributes }, parent);
    return { span, context: trace.setSpan(parent, span) };
  };
  const fail = (span: Span, error: Error | undefined) => {
    if (error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, ...(error ? { message: error.message } : {}) });
  };

  const backend: SpanBackend<OtelSpan> = {
    kind: 'otel',

    openRoot(_service, operation, traceHeader, sample) {
      const parent = traceHeader
        ? propagator.extract(ROOT_CONTEXT, { [HEADER]: traceHeader }, getter)
        : ROOT_CONTEXT;
      const message = sample.method === 'MESSAGE';
      return start(
        message ? `${operation} process` : operation,
        message ? SpanKind.CONSUMER : SpanKind.SERVER,
        parent,
        message
          ? { 'messaging.operation.type': 'process', 'messaging.message.type': operation }
          : {},
      );
    },

    describeRequest(root, request) {
      root.span.setAttributes({
        'http.request.method': request.method ?? 'GET',
        'url.path': (request.url ?? '/').split('?')[0] ?? '/',
        ...(request.headers['user-agent']
          ? { 'user_agent.original': request.headers['user-agent'] }
          : {}),
      });
    },

    closeRequest(root, outcome) {
      const method = outcome.response.req?.method ?? 'HTTP';
      root.span.updateName(`${method} ${outcome.route}`);
      root.span.setAttributes({
        'http.route': outcome.route,
        'http.response.status_code': outcome.status,
        ...(outcome.userId ? { 'enduser.id': outcome.userId } : {}),
      });
      if (outcome.status >= 500) fail(root.span, outcome.error);
      root.span.end();
    },

    annotate(span, key, value) {
      span.span.setAttribute(key === 'queue' ? 'messaging.destination.name' : key, value);
    },

    closeRoot(root, error) {
      if (error) fail(root.span, error);
      root.span.end();
    },

    isSampled(root) {
      return root.span.isRecording();
    },

    openChild(_root, parent, subject) {
      return start(childName(subject), SpanKind.CLIENT, parent.context, childAttributes(subject));
    },

    closeChild(child, outcome) {
      if (outcome.status !== undefined) {
        child.span.setAttribute('http.response.status_code', outcome.status);
      }
      if (outcome.requestId) child.span.setAttribute('aws.request_id', outcome.requestId);
      if (outcome.error || (outcome.status ?? 0) >= 500) fail(child.span, outcome.error);
      child.span.end();
    },

    headerOf(_root, current) {
      const carrier: Record<string, string> = {};
      propagator.inject(current.context, carrier, setter);
      return carrier[HEADER] ?? '';
    },

    traceIdOf(root) {
      const id = root.span.spanContext().traceId;
      return `1-${id.slice(0, 8)}-${id.slice(8)}`;
    },

    close: () => provider.shutdown(),
  };
  return createTracing(backend, options.service);
}

function childName(subject: ChildSubject): string {
  if (subject.kind === 'http') return `${subject.method} ${subject.service}`;
  if (subject.kind === 'aws') return `${subject.service}.${subject.operation}`;
  return `${subject.statement.split(' ')[0] ?? 'SQL'} ${subject.target.database}`;
}

function childAttributes(subject: ChildSubject): Attributes {
  if (subject.kind === 'http') {
    return {
      'http.request.method': subject.method,
      'url.full': subject.url,
      'peer.service': subject.service,
    };
  }
  if (subject.kind === 'aws') {
    return {
      'rpc.system': 'aws-api',
      'rpc.service': subject.service,
      'rpc.method': subject.operation,
    };
  }
  return {
    'db.system.name': 'postgresql',
    'db.namespace': subject.target.database,
    'db.query.text': subject.statement,
    'server.address': subject.target.host,
  };
}
