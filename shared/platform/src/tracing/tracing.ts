import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/**
 * Distributed tracing, behind one interface (DESIGN §5). This folder is the only place
 * that imports a tracing SDK, and only when tracing is on: with it off, nothing is
 * loaded and every call here is a no-op that costs a property read.
 *
 * Like OpenTelemetry's API, the active tracing is process-wide (`tracing()`): the SDKs
 * underneath are process-wide themselves (one daemon address, one sampler), and it spares
 * every adapter from threading a tracer through. `runService` installs it before anything
 * else is built; tests install their own and restore the previous one.
 */
export interface Tracing {
  readonly kind: 'off' | 'xray' | 'otel';
  /**
   * A segment per request, named after the service (`name`), continuing the caller's
   * trace from `X-Amzn-Trace-Id`.
   */
  register(app: FastifyInstance, name: string): void;
  /** The trace header for a call or an event leaving the current request or message. */
  currentTraceHeader(): string | undefined;
  /** The trace id of the current request or message, for log lines. */
  currentTraceId(): string | undefined;
  /**
   * An outgoing HTTP call as a subsegment of the current (sub)segment. `call` gets the
   * trace header to send and resolves with the answer's status; a thrown error or a
   * 5xx marks the subsegment a fault, a 4xx an error, a 429 a throttle.
   */
  traceCall<T extends { readonly status: number }>(
    call: { readonly service: string; readonly method: string; readonly url: string },
    send: (traceHeader: string | undefined) => Promise<T>,
  ): Promise<T>;
  /**
   * Work that is not an HTTP request (a consumed message) as a segment of this service,
   * continuing the trace in `traceHeader` when there is one.
   */
  inSegment<T>(
    name: string,
    traceHeader: string | undefined,
    work: () => Promise<T>,
    annotations?: Readonly<Record<string, string | number | boolean>>,
  ): Promise<T>;
  /**
   * Every call of an AWS SDK v3 client, made inside traced work, as a subsegment
   * (namespace `aws`: service, operation, request id, status).
   */
  instrumentAwsClient(client: unknown): void;
  /**
   * Every statement of a PostgreSQL client, run inside traced work, as a subsegment with
   * its SQL text (parameterized: values never appear) and the database, not the URL.
   */
  instrumentPostgres(client: PostgresQueryable, target: PostgresTarget): void;
  /** Sends what is still buffered; called at shutdown. */
  close(): Promise<void>;
}

/** What tracing needs of a `pg` client: its `query`, which it wraps. */
export interface PostgresQueryable {
  query: (...args: never[]) => unknown;
}

/** Where a PostgreSQL client is connected; the password never reaches a trace. */
export interface PostgresTarget {
  readonly database: string;
  readonly host: string;
  readonly user: string;
}

export const tracingOff: Tracing = {
  kind: 'off',
  register: () => undefined,
  currentTraceHeader: () => undefined,
  currentTraceId: () => undefined,
  traceCall: (_call, send) => send(undefined),
  inSegment: (_name, _header, work) => work(),
  instrumentAwsClient: () => undefined,
  instrumentPostgres: () => undefined,
  close: async () => undefined,
};

let active: Tracing = tracingOff;

/** The process's tracing: off until `installTracing`. */
export function tracing(): Tracing {
  return active;
}

/** Makes `next` the process's tracing; returns the one it replaces. */
export function installTracing(next: Tracing): Tracing {
  const previous = active;
  active = next;
  return previous;
}

export interface TracingSettings {
  /** `xray`, `otel` or `off`; unset means X-Ray when a daemon address is set, else off. */
  readonly TRACING?: 'off' | 'xray' | 'otel' | undefined;
  /** Base URL of the OTLP/HTTP receiver for `otel` (the CloudWatch agent's default port). */
  readonly OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  /** The X-Ray daemon: `host:port` (its TCP proxy and UDP alike; 127.0.0.1:2000 by default), or `tcp:host:port udp:host:port`. */
  readonly AWS_XRAY_DAEMON_ADDRESS?: string | undefined;
  /** Share of traces kept beyond the first each second (X-Ray's default rule: 5 %). */
  readonly TRACING_SAMPLING_RATE: number;
}

/** Which tracing the settings ask for. */
export function tracingKind(settings: TracingSettings): Tracing['kind'] {
  return settings.TRACING ?? (settings.AWS_XRAY_DAEMON_ADDRESS ? 'xray' : 'off');
}

/** A pino mixin: the current trace id, on the lines of traced work. */
export function traceIdOfCurrentWork(): { traceId?: string } {
  const traceId = active.currentTraceId();
  return traceId ? { traceId } : {};
}

/** Tracing as the settings ask; the SDK is imported only when it is on. */
export async function startTracing(
  service: string,
  settings: TracingSettings,
  logger: Logger,
): Promise<Tracing> {
  const kind = tracingKind(settings);
  if (kind === 'off') return tracingOff;
  if (kind === 'otel') {
    const { createOtelTracing } = await import('./otel-tracing.ts');
    return createOtelTracing({
      service,
      endpoint: settings.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318',
      samplingRate: settings.TRACING_SAMPLING_RATE,
    });
  }
  const { createXRayTracing } = await import('./xray-tracing.ts');
  return createXRayTracing({
    service,
    daemonAddress: settings.AWS_XRAY_DAEMON_ADDRESS ?? '127.0.0.1:2000',
    samplingRate: settings.TRACING_SAMPLING_RATE,
    logger,
  });
}
