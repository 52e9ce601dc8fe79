import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PostgresQueryable, PostgresTarget, Tracing } from './tracing.ts';

/** What a child span is about, in neutral terms; each backend writes it its own way. */
export type ChildSubject =
  | {
      readonly kind: 'http';
      readonly service: string;
      readonly method: string;
      readonly url: string;
    }
  | { readonly kind: 'aws'; readonly service: string; readonly operation: string }
  | { readonly kind: 'sql'; readonly target: PostgresTarget; readonly statement: string };

export interface ChildOutcome {
  readonly status?: number | undefined;
  readonly error?: Error | undefined;
  /** AWS only: the call's request id and how many times the SDK retried it. */
  readonly requestId?: string | undefined;
  readonly retries?: number | undefined;
}

export interface RequestOutcome {
  readonly status: number;
  readonly route: string;
  readonly userId?: string | undefined;
  readonly error?: Error | undefined;
  readonly response: ServerResponse;
}

/**
 * One tracing SDK behind the kit's `Tracing`: how to open and close spans (X-Ray
 * segments, OpenTelemetry spans) and how to write the trace header. Which span is current,
 * the Fastify hooks, the AWS SDK middleware and the PostgreSQL wrapper are shared
 * (`createTracing`), so both backends record the same things in the same places.
 */
export interface SpanBackend<S> {
  readonly kind: Tracing['kind'];
  /**
   * The span of a request or message of `service` (X-Ray names segments after it): continues
   * `traceHeader`'s trace or starts one. `operation` is what is done (OpenTelemetry names
   * spans after it): the event type of a message, the method and path of a request.
   */
  openRoot(
    service: string,
    operation: string,
    traceHeader: string | undefined,
    sample: { readonly host: string; readonly method: string; readonly url: string },
  ): S;
  describeRequest(root: S, request: IncomingMessage): void;
  closeRequest(root: S, outcome: RequestOutcome): void;
  annotate(span: S, key: string, value: string | number | boolean): void;
  closeRoot(root: S, error?: Error): void;
  isSampled(root: S): boolean;
  openChild(root: S, parent: S, subject: ChildSubject): S;
  closeChild(child: S, outcome: ChildOutcome): void;
  /** The header for work caused by `current` (a call, an event), in the X-Ray format. */
  headerOf(root: S, current: S): string;
  /** The trace id in the X-Ray format (`1-xxxxxxxx-…`), for logs and responses. */
  traceIdOf(root: S): string;
  close(): Promise<void>;
}

interface TraceContext<S> {
  readonly root: S;
  /** Where child spans go: the root, or the span of the call in progress. */
  readonly current: S;
}

const TRACE_HEADER = 'x-amzn-trace-id';

/**
 * The kit's `Tracing` over a span backend. The current span lives in AsyncLocalStorage:
 * on Node 24 it holds across awaits and across a request body that arrives on later
 * socket events (test/tracing.test.ts checks both over real sockets).
 */
export function createTracing<S>(backend: SpanBackend<S>, service: string): Tracing {
  const storage = new AsyncLocalStorage<TraceContext<S>>();
  // The request's trace context, on the request itself: a decorator Fastify declares on
  // every request's shape, cheaper per request than a WeakMap entry.
  const contextKey = Symbol('traceContext');
  type Traced = FastifyRequest & { [contextKey]?: TraceContext<S> | null };
  const failures = new WeakMap<FastifyRequest, Error>();

  /** `work` inside a child span of the current context; none outside traced work. */
  async function inChild<T>(
    subject: ChildSubject,
    work: (header: string | undefined) => Promise<T>,
    outcomeOf: (result: T) => ChildOutcome,
    failureOf: (error: unknown) => ChildOutcome,
  ): Promise<T> {
    const parent = storage.getStore();
    if (!parent || !backend.isSampled(parent.root)) {
      return work(parent ? backend.headerOf(parent.root, parent.current) : undefined);
    }
    const child = backend.openChild(parent.root, parent.current, subject);
    try {
      // A statement carries no header and starts no traced work of its own: it runs in its
      // caller's context. A call or an AWS request runs in its child's.
      const result =
        subject.kind === 'sql'
          ? await work(undefined)
          : await storage.run({ root: parent.root, current: child }, () =>
              work(backend.headerOf(parent.root, child)),
            );
      backend.closeChild(child, outcomeOf(result));
      return result;
    } catch (error) {
      backend.closeChild(child, failureOf(error));
      throw error;
    }
  }

  return {
    kind: backend.kind,

    register(app: FastifyInstance, name: string) {
      app.decorateRequest(contextKey, null);
      app.addHook('onRequest', (request, reply, done) => {
        const header = request.headers[TRACE_HEADER];
        const root = backend.openRoot(
          name,
          `${request.method} ${request.url}`,
          typeof header === 'string' ? header : undefined,
          { host: request.headers.host ?? name, method: request.method, url: request.url },
        );
        backend.describeRequest(root, request.raw);
        const context = { root, current: root };
        (request as Traced)[contextKey] = context;
        void reply.header(TRACE_HEADER, `Root=${backend.traceIdOf(root)}`);
        storage.run(context, done);
      });
      app.addHook('onError', (request, _reply, error, done) => {
        failures.set(request, error);
        done();
      });
      app.addHook('onResponse', (request, reply, done) => {
        const context = (request as Traced)[contextKey];
        if (context) {
          backend.closeRequest(context.root, {
            status: reply.statusCode,
            route: request.routeOptions.url ?? 'unmatched',
            userId: (request as { caller?: { userId?: string } | null }).caller?.userId,
            error: reply.statusCode >= 500 ? failures.get(request) : undefined,
            response: reply.raw,
          });
        }
        done();
      });
    },

    currentTraceHeader() {
      const context = storage.getStore();
      return context ? backend.headerOf(context.root, context.current) : undefined;
    },

    currentTraceId() {
      const context = storage.getStore();
      return context ? backend.traceIdOf(context.root) : undefined;
    },

    traceCall(call, send) {
      return inChild(
        { kind: 'http', ...call },
        send,
        (answer) => ({ status: answer.status }),
        (error) => ({ error: error as Error }),
      );
    },

    async inSegment(name, traceHeader, work, annotations = {}) {
      const root = backend.openRoot(service, name, traceHeader, {
        host: service,
        method: 'MESSAGE',
        url: name,
      });
      backend.annotate(root, 'operation', name);
      for (const [key, value] of Object.entries(annotations)) backend.annotate(root, key, value);
      try {
        const result = await storage.run({ root, current: root }, work);
        backend.closeRoot(root);
        return result;
      } catch (error) {
        backend.closeRoot(root, error as Error);
        throw error;
      }
    },

    instrumentAwsClient(client) {
      const stack = (client as { middlewareStack?: MiddlewareStack }).middlewareStack;
      stack?.add(
        (next, context) => (args) =>
          inChild(
            {
              kind: 'aws',
              service: (context.clientName ?? 'AWS').replace(/Client$/, ''),
              operation: (context.commandName ?? 'call').replace(/Command$/, ''),
            },
            (header) => {
              const headers = (args.request as { headers?: Record<string, string> } | undefined)
                ?.headers;
              if (headers && header) headers['X-Amzn-Trace-Id'] = header;
              return next(args);
            },
            (result) => {
              const meta = (result.output as { $metadata?: AwsMetadata } | undefined)?.$metadata;
              return {
                status: (result.response as { statusCode?: number } | undefined)?.statusCode,
                ...awsDetails(meta),
              };
            },
            (error) => {
              const meta = (error as { $metadata?: AwsMetadata }).$metadata;
              const status = meta?.httpStatusCode;
              // A 4xx is the caller's (a failed condition, a missing item): an error, not a fault.
              return {
                status,
                ...awsDetails(meta),
                ...(status && status < 500 ? {} : { error: error as Error }),
              };
            },
          ),
        { step: 'build', name: 'storekeeperTracing' },
      );
    },

    instrumentPostgres(client: PostgresQueryable, target: PostgresTarget) {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      const traced = (...args: unknown[]) => {
        // Callback style (the pool's own use of its clients) goes through untouched.
        if (!storage.getStore() || typeof args.at(-1) === 'function') return query(...args);
        const first = args[0] as string | { text?: string } | undefined;
        const statement = statementOf(typeof first === 'string' ? first : (first?.text ?? ''));
        let result: unknown;
        const settled = inChild(
          { kind: 'sql', target, statement },
          async () => {
            result = query(...args);
            return isPromise(result) ? await result : result;
          },
          () => ({}),
          (error) => ({ error: error as Error }),
        );
        // A Submittable (a cursor) is not a promise: hand it back as pg made it.
        return isPromise(result) || result === undefined ? settled : result;
      };
      client.query = traced as never;
    },

    close: () => backend.close(),
  };
}

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

function awsDetails(meta: AwsMetadata | undefined): Pick<ChildOutcome, 'requestId' | 'retries'> {
  return {
    ...(meta?.requestId ? { requestId: meta.requestId } : {}),
    ...(meta?.attempts && meta.attempts > 1 ? { retries: meta.attempts - 1 } : {}),
  };
}

/**
 * A statement as a subsegment shows it: whitespace folded, cut at 1,000 characters. The
 * text holds placeholders, never values (statements are parameterized), so a service has
 * a few dozen of them: each is folded once.
 */
const statements = new Map<string, string>();
function statementOf(text: string): string {
  let statement = statements.get(text);
  if (statement === undefined) {
    statement = text.replace(/\s+/g, ' ').trim().slice(0, 1000);
    // Bounded all the same, should a caller build statements on the fly.
    if (statements.size >= 500) statements.clear();
    statements.set(text, statement);
  }
  return statement;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
