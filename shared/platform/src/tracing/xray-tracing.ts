import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { PostgresQueryable, PostgresTarget, Tracing } from './tracing.ts';

// Manual mode: the SDK builds and sends segments; which one is current is kept by
// AsyncLocalStorage below, not by the SDK's cls-hooked namespace (a userland async_hooks
// shim that Node has superseded). Set before the SDK is loaded, which reads it then.
process.env.AWS_XRAY_MANUAL_MODE = 'true';
const { default: AWSXRay } = await import('aws-xray-sdk-core');

type Segment = InstanceType<typeof AWSXRay.Segment>;
type Subsegment = InstanceType<typeof AWSXRay.Subsegment>;

interface TraceContext {
  readonly segment: Segment;
  /** Where new subsegments go: the segment, or the subsegment of the call in progress. */
  readonly current: Segment | Subsegment;
}

/** The parts of an X-Ray trace header (`Root=…;Parent=…;Sampled=…`). */
interface TraceData {
  root?: string;
  parent?: string;
  sampled?: string;
}

const TRACE_HEADER = 'x-amzn-trace-id';

/** The part of an AWS SDK v3 client's middleware stack this module uses. */
interface MiddlewareStack {
  add(
    middleware: (
      next: (args: MiddlewareArgs) => Promise<MiddlewareResult>,
      context: { clientName?: string; commandName?: string },
    ) => (args: MiddlewareArgs) => Promise<MiddlewareResult>,
    options: { step: 'build'; name: string },
  ): void;
}
interface MiddlewareArgs {
  request?: unknown;
  input?: unknown;
}
interface MiddlewareResult {
  response?: unknown;
  output?: unknown;
}
interface AwsMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
}

function awsAttribute(operation: string, meta: AwsMetadata | undefined) {
  return {
    operation,
    ...(meta?.requestId ? { request_id: meta.requestId } : {}),
    ...(meta?.attempts && meta.attempts > 1 ? { retries: meta.attempts - 1 } : {}),
  };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export interface XRayTracingOptions {
  readonly service: string;
  /** `host:port` of the daemon (UDP). */
  readonly daemonAddress: string;
  /** Share of traces kept beyond the first each second; 1 keeps every trace. */
  readonly samplingRate: number;
  readonly logger: Logger;
}

/**
 * X-Ray through aws-xray-sdk-core: segments and subsegments are the SDK's, sent to the
 * daemon over UDP as they close. Sampling follows local rules (no centralized sampling
 * calls to the daemon), decided once per trace at its first service and carried on.
 */
export function createXRayTracing(options: XRayTracingOptions): Tracing {
  const { service } = options;
  const sdkLog = options.logger.child({ component: 'xray' }, { level: 'warn' });
  AWSXRay.setLogger({
    error: (message: string) => sdkLog.error(message),
    warn: (message: string) => sdkLog.warn(message),
    info: (message: string) => sdkLog.info(message),
    debug: (message: string) => sdkLog.debug(message),
  });
  AWSXRay.setDaemonAddress(options.daemonAddress);
  AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.middleware.setSamplingRules({
    version: 2,
    default: { fixed_target: 1, rate: options.samplingRate },
    rules: [],
  });

  const storage = new AsyncLocalStorage<TraceContext>();
  const contexts = new WeakMap<FastifyRequest, TraceContext>();
  const failures = new WeakMap<FastifyRequest, Error>();

  function headerOf(context: TraceContext): string {
    const sampled = context.segment.notTraced ? '0' : '1';
    return `Root=${context.segment.trace_id};Parent=${context.current.id};Sampled=${sampled}`;
  }

  /** A new segment named `name`, continuing `data`'s trace or starting one. */
  function openSegment(
    name: string,
    data: TraceData,
    sample: { host: string; method: string; url: string },
  ) {
    const segment = new AWSXRay.Segment(name, data.root, data.parent);
    // The caller's decision stands; a trace's first service decides by the rules.
    AWSXRay.middleware.resolveSampling(data, segment, {
      req: { headers: { host: sample.host }, method: sample.method, url: sample.url },
    });
    return segment;
  }

  function flagStatus(target: Segment | Subsegment, status: number): void {
    if (status === 429) target.addThrottleFlag();
    if (status >= 500) target.addFaultFlag();
    else if (status >= 400) target.addErrorFlag();
  }

  return {
    kind: 'xray',

    register(app: FastifyInstance, name: string) {
      app.addHook('onRequest', (request, reply, done) => {
        const header = request.headers[TRACE_HEADER];
        const data: TraceData =
          typeof header === 'string' ? AWSXRay.utils.processTraceData(header) : {};
        const segment = openSegment(name, data, {
          host: request.headers.host ?? name,
          method: request.method,
          url: request.url,
        });
        segment.addIncomingRequestData(new AWSXRay.middleware.IncomingRequestData(request.raw));
        const context: TraceContext = { segment, current: segment };
        contexts.set(request, context);
        void reply.header(TRACE_HEADER, `Root=${segment.trace_id}`);
        // The rest of the request runs inside this context. On Node 24 it also holds across
        // a body that arrives on later socket events (AsyncContextFrame), which older
        // Node lost; test/tracing.test.ts checks it over real sockets.
        storage.run(context, done);
      });
      app.addHook('onError', (request, _reply, error, done) => {
        failures.set(request, error);
        done();
      });
      app.addHook('onResponse', (request, reply, done) => {
        const context = contexts.get(request);
        if (context) {
          const { segment } = context;
          const status = reply.statusCode;
          (segment as unknown as { http: { close(res: unknown): void } }).http.close(reply.raw);
          flagStatus(segment, status);
          segment.addAnnotation('route', request.routeOptions.url ?? 'unmatched');
          const userId = (request as { caller?: { userId?: string } | null }).caller?.userId;
          if (userId) segment.addAnnotation('userId', userId);
          const failure = failures.get(request);
          if (failure && status >= 500) segment.addError(failure);
          segment.close();
        }
        done();
      });
    },

    currentTraceHeader() {
      const context = storage.getStore();
      return context ? headerOf(context) : undefined;
    },

    currentTraceId() {
      return storage.getStore()?.segment.trace_id;
    },

    async traceCall(call, send) {
      const context = storage.getStore();
      if (!context) return send(undefined);
      const subsegment = context.segment.notTraced
        ? context.current.addNewSubsegmentWithoutSampling(call.service)
        : context.current.addNewSubsegment(call.service);
      subsegment.addAttribute('namespace', 'remote');
      const inner: TraceContext = { segment: context.segment, current: subsegment };
      const request = { method: call.method, url: call.url };
      try {
        const answer = await storage.run(inner, () => send(headerOf(inner)));
        subsegment.addAttribute('http', { request, response: { status: answer.status } });
        flagStatus(subsegment, answer.status);
        subsegment.close();
        return answer;
      } catch (error) {
        subsegment.addAttribute('http', { request });
        subsegment.close(error as Error, true);
        throw error;
      }
    },

    async inSegment(name, traceHeader, work, annotations = {}) {
      const data: TraceData = traceHeader ? AWSXRay.utils.processTraceData(traceHeader) : {};
      const segment = openSegment(service, data, { host: service, method: 'MESSAGE', url: name });
      segment.addAnnotation('operation', name);
      for (const [key, value] of Object.entries(annotations)) segment.addAnnotation(key, value);
      try {
        const result = await storage.run({ segment, current: segment }, work);
        segment.close();
        return result;
      } catch (error) {
        segment.close(error as Error);
        throw error;
      }
    },

    instrumentAwsClient(client) {
      const stack = (client as { middlewareStack?: MiddlewareStack }).middlewareStack;
      stack?.add(
        (next, context) => async (args) => {
          const parent = storage.getStore();
          if (!parent || parent.segment.notTraced) return next(args);
          const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
          const operation = (context.commandName ?? 'call').replace(/Command$/, '');
          const subsegment = parent.current.addNewSubsegment(service);
          subsegment.addAttribute('namespace', 'aws');
          const inner: TraceContext = { segment: parent.segment, current: subsegment };
          const headers = (args.request as { headers?: Record<string, string> } | undefined)
            ?.headers;
          if (headers) headers['X-Amzn-Trace-Id'] = headerOf(inner);
          try {
            const result = await next(args);
            const status = (result.response as { statusCode?: number } | undefined)?.statusCode;
            const meta = (result.output as { $metadata?: AwsMetadata } | undefined)?.$metadata;
            subsegment.addAttribute('aws', awsAttribute(operation, meta));
            if (status) {
              subsegment.addAttribute('http', { response: { status } });
              flagStatus(subsegment, status);
            }
            subsegment.close();
            return result;
          } catch (error) {
            const meta = (error as { $metadata?: AwsMetadata }).$metadata;
            subsegment.addAttribute('aws', awsAttribute(operation, meta));
            const status = meta?.httpStatusCode;
            if (status) subsegment.addAttribute('http', { response: { status } });
            // A 4xx is the caller's (a failed condition, a missing item): an error, not a fault.
            if (status && status < 500) {
              flagStatus(subsegment, status);
              subsegment.close();
            } else {
              subsegment.close(error as Error, true);
            }
            throw error;
          }
        },
        { step: 'build', name: 'storekeeperXRay' },
      );
    },

    instrumentPostgres(client: PostgresQueryable, target: PostgresTarget) {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      const traced = (...args: unknown[]) => {
        const parent = storage.getStore();
        // Callback style and unsampled work go through untouched.
        if (!parent || parent.segment.notTraced || typeof args.at(-1) === 'function') {
          return query(...args);
        }
        const first = args[0] as string | { text?: string } | undefined;
        const text = typeof first === 'string' ? first : (first?.text ?? '');
        const subsegment = parent.current.addNewSubsegment(target.database);
        subsegment.addAttribute('namespace', 'remote');
        subsegment.addAttribute('sql', {
          url: `postgresql://${target.host}/${target.database}`,
          user: target.user,
          database_type: 'PostgreSQL',
          // Parameterized statements: the text holds placeholders, never values.
          sanitized_query: text.replace(/\s+/g, ' ').trim().slice(0, 1000),
        });
        const result = query(...args);
        if (!isPromise(result)) {
          subsegment.close();
          return result;
        }
        return result.then(
          (value) => {
            subsegment.close();
            return value;
          },
          (error: unknown) => {
            subsegment.close(error as Error, true);
            throw error;
          },
        );
      };
      client.query = traced as never;
    },

    async close() {
      // Segments are sent as they close (UDP, fire and forget): nothing is held back.
    },
  };
}
