import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { Pool } from 'undici';
import { exchange } from '../buffered-exchange.ts';
import { createLogThrottle } from '../log-throttle.ts';
import { type ChildSubject, createTracing, type SpanBackend } from './create-tracing.ts';
import { randomHex } from './random-hex.ts';
import type { Tracing } from './tracing.ts';

// Manual mode: the SDK keeps no context of its own (the kit's AsyncLocalStorage does).
// Set before the SDK is loaded, which reads it then.
process.env.AWS_XRAY_MANUAL_MODE = 'true';
const { default: AWSXRay } = await import('aws-xray-sdk-core');

export interface XRayTracingOptions {
  readonly service: string;
  /** AWS_XRAY_DAEMON_ADDRESS: `host:port`, or `tcp:host:port udp:host:port`. */
  readonly daemonAddress: string;
  /** Share of traces kept beyond the first each second; 1 keeps every trace. */
  readonly samplingRate: number;
  readonly logger: Logger;
  /** Bound for one `PutTraceSegments` call to the daemon's proxy (default 10 s). */
  readonly callTimeoutMs?: number;
}

/**
 * A segment or subsegment as X-Ray's segment document writes it, built as a plain object
 * of the fields it will send and nothing else (ADR 0052).
 */
interface NodeDocument {
  name: string;
  id: string;
  start_time: number;
  end_time?: number;
  trace_id?: string;
  parent_id?: string;
  namespace?: 'remote' | 'aws';
  http?: {
    request?: Record<string, string | boolean>;
    response?: { status?: number; content_length?: number };
  };
  aws?: Record<string, string | number>;
  sql?: Record<string, string>;
  annotations?: Record<string, string | number | boolean>;
  metadata?: { storekeeper: { subsegments_dropped: number } };
  fault?: true;
  error?: true;
  throttle?: true;
  cause?: { exceptions: { id: string; message: string; type: string; remote?: true }[] };
  subsegments?: NodeDocument[];
}

/** One segment being recorded: sent once it and every subsegment in it have closed. */
interface Trace {
  readonly segment: NodeDocument & { trace_id: string };
  readonly sampled: boolean;
  /** Subsegments opened and not yet closed. */
  open: number;
  closed: boolean;
  /** Subsegments recorded; past the cap they are counted, not kept. */
  recorded: number;
}

interface Span {
  readonly trace: Trace;
  readonly document: NodeDocument;
}

/**
 * X-Ray refuses a segment document over 64 KB, and with it the whole segment. A long piece
 * of work (a message handled with hundreds of statements) keeps its first 100 subsegments
 * and counts the rest; a document still too large (long statements, long URLs) keeps as
 * many of them as fit (`fitted`).
 */
const maxSubsegments = 100;
const maxDocumentBytes = 64 * 1024;
/** An exception's message, a URL, a user agent as a trace shows them: their first 2,000. */
const maxTextLength = 2_000;

/**
 * X-Ray: the SDK decides sampling by its local rules and parses the trace header; the kit
 * writes the segment documents itself, as plain objects, and sends them in batches of up
 * to 50 (`PutTraceSegments`) through the daemon's TCP proxy, which signs and forwards
 * them. The SDK's own segments cost a service over a third of its throughput at 100 %
 * sampling, and the daemon's UDP protocol takes one datagram per segment (ADR 0052).
 */
export function createXRayTracing(options: XRayTracingOptions): Tracing {
  // The SDK's and the batches' lines: warnings and worse, and none the service's own level
  // turns off (a child's level would override it, and LOG_LEVEL=error print warnings).
  const sdkLog = options.logger.child({ component: 'xray' });
  if (sdkLog.isLevelEnabled('info')) sdkLog.level = 'warn';
  AWSXRay.setLogger({
    error: (message: string) => sdkLog.error(message),
    warn: (message: string) => sdkLog.warn(message),
    info: (message: string) => sdkLog.info(message),
    debug: (message: string) => sdkLog.debug(message),
  });
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.middleware.setSamplingRules({
    version: 2,
    default: { fixed_target: 1, rate: options.samplingRate },
    rules: [],
  });

  const batches = segmentBatches(
    daemonProxyOf(options.daemonAddress),
    sdkLog,
    options.callTimeoutMs,
  );
  const finish = (trace: Trace) => {
    if (!trace.closed || trace.open > 0 || !trace.sampled) return;
    batches.add(trace.segment);
  };
  /** `remote`: the error came from the service called, not from this one. */
  const end = (
    span: Span,
    status: number | undefined,
    error: Error | undefined,
    remote = false,
  ) => {
    const document = span.document;
    if (status !== undefined) flagStatus(document, status);
    if (error) {
      document.fault = true;
      document.cause = { exceptions: [exceptionOf(error, remote)] };
    }
    document.end_time = now();
  };
  const closeSegment = (root: Span, status: number | undefined, error: Error | undefined) => {
    end(root, status, error);
    root.trace.closed = true;
    finish(root.trace);
  };

  const backend: SpanBackend<Span> = {
    kind: 'xray',

    openRoot(service, _operation, traceHeader, sample) {
      const data: TraceData = traceHeader ? AWSXRay.utils.processTraceData(traceHeader) : {};
      const segment = newDocument(service) as Trace['segment'];
      segment.trace_id = data.root && traceIdPattern.test(data.root) ? data.root : newTraceId();
      if (data.parent && spanIdPattern.test(data.parent)) segment.parent_id = data.parent;
      // The caller's decision stands; a trace's first service decides by the rules.
      const decision: { name: string; notTraced?: boolean } = { name: service };
      const response = {
        req: { headers: { host: sample.host }, method: sample.method, url: sample.url },
      };
      AWSXRay.middleware.resolveSampling(
        data as Record<string, string>,
        decision as unknown as Parameters<typeof AWSXRay.middleware.resolveSampling>[1],
        response as unknown as Parameters<typeof AWSXRay.middleware.resolveSampling>[2],
      );
      const trace: Trace = {
        segment,
        sampled: decision.notTraced !== true,
        open: 0,
        closed: false,
        recorded: 0,
      };
      return { trace, document: segment };
    },

    describeRequest(root, request) {
      root.document.http = { request: incomingRequestData(request), response: undefined };
    },

    closeRequest(root, outcome) {
      const length = Number(outcome.response.getHeader('content-length'));
      root.document.http = {
        request: root.document.http?.request,
        response: {
          status: outcome.status,
          content_length: Number.isInteger(length) ? length : undefined,
        },
      };
      backend.annotate(root, 'route', outcome.route);
      if (outcome.userId) backend.annotate(root, 'userId', outcome.userId);
      closeSegment(root, outcome.status, outcome.error);
    },

    annotate(span, key, value) {
      span.document.annotations ??= {};
      span.document.annotations[key] = value;
    },

    closeRoot(root, error) {
      closeSegment(root, undefined, error);
    },

    isSampled(root) {
      return root.trace.sampled;
    },

    openChild(root, parent, subject) {
      const trace = root.trace;
      const document = newDocument(nameOf(subject));
      document.namespace = subject.kind === 'aws' ? 'aws' : 'remote';
      if (subject.kind === 'http') {
        document.http = {
          request: { method: subject.method, url: subject.url.slice(0, maxTextLength) },
          response: undefined,
        };
      } else if (subject.kind === 'aws') {
        document.aws = { operation: subject.operation };
      } else {
        document.sql = {
          url: `postgresql://${subject.target.host}/${subject.target.database}`,
          user: subject.target.user,
          database_type: 'PostgreSQL',
          sanitized_query: subject.statement,
        };
      }
      trace.recorded += 1;
      if (trace.recorded <= maxSubsegments) {
        parent.document.subsegments ??= [];
        parent.document.subsegments.push(document);
      } else {
        trace.segment.metadata = {
          storekeeper: { subsegments_dropped: trace.recorded - maxSubsegments },
        };
      }
      trace.open += 1;
      return { trace, document };
    },

    closeChild(child, outcome) {
      const document = child.document;
      if (outcome.status !== undefined) {
        document.http = {
          request: document.http?.request,
          response: { status: outcome.status, content_length: undefined },
        };
      }
      if (outcome.requestId) document.aws = { ...document.aws, request_id: outcome.requestId };
      if (outcome.retries) document.aws = { ...document.aws, retries: outcome.retries };
      end(child, outcome.status, outcome.error, true);
      child.trace.open -= 1;
      finish(child.trace);
    },

    headerOf(root, current) {
      const sampled = root.trace.sampled ? '1' : '0';
      return `Root=${root.trace.segment.trace_id};Parent=${current.document.id};Sampled=${sampled}`;
    },

    traceIdOf(root) {
      return root.trace.segment.trace_id;
    },

    close: () => batches.close(),
  };
  return createTracing(backend, options.service);
}

/**
 * A document with every field it may get, those it has not yet got undefined (which
 * JSON.stringify leaves out): each document then keeps one shape from birth to
 * serialization, instead of a new one for each field added as the work goes on. Writing
 * documents of one shape is the fast path of JSON.stringify, and the sites that fill them
 * stay monomorphic.
 */
function newDocument(name: string): NodeDocument {
  return {
    name,
    id: randomHex(16),
    start_time: now(),
    end_time: undefined,
    trace_id: undefined,
    parent_id: undefined,
    namespace: undefined,
    http: undefined,
    aws: undefined,
    sql: undefined,
    annotations: undefined,
    metadata: undefined,
    fault: undefined,
    error: undefined,
    throttle: undefined,
    cause: undefined,
    subsegments: undefined,
  };
}

/** The parts of an X-Ray trace header (`Root=…;Parent=…;Sampled=…`). */
interface TraceData {
  root?: string;
  parent?: string;
  sampled?: string;
}

const traceIdPattern = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const spanIdPattern = /^[0-9a-f]{16}$/;

/** Seconds since the epoch, to the microsecond: a statement takes less than a millisecond. */
function now(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `1-${epoch}-${randomHex(24)}`;
}

function flagStatus(document: NodeDocument, status: number): void {
  if (status === 429) document.throttle = true;
  if (status >= 500) document.fault = true;
  else if (status >= 400) document.error = true;
}

/** An exception as X-Ray shows it: its type and message (stack frames stay in the logs). */
function exceptionOf(error: Error, remote: boolean) {
  const message = String(error.message).slice(0, maxTextLength);
  const exception = { id: randomHex(16), message, type: error.name };
  return remote ? { ...exception, remote: true as const } : exception;
}

/**
 * The segment as JSON, under X-Ray's 64 KB: while it is over, the later half of its
 * subsegments goes, counted in `metadata.storekeeper.subsegments_dropped`. A document of a
 * few KB (nearly all) is measured by its length alone: UTF-8 takes at most 3 bytes a unit.
 */
function fitted(segment: NodeDocument): string {
  let document = JSON.stringify(segment);
  while (document.length * 3 > maxDocumentBytes && Buffer.byteLength(document) > maxDocumentBytes) {
    const subsegments = segment.subsegments ?? [];
    if (subsegments.length === 0) break; // nothing left to drop: X-Ray will say it refused it
    const kept = Math.floor(subsegments.length / 2);
    const dropped = subsegments.slice(kept).reduce((sum, s) => sum + countOf(s), 0);
    segment.subsegments = subsegments.slice(0, kept);
    const before = segment.metadata?.storekeeper.subsegments_dropped ?? 0;
    segment.metadata = { storekeeper: { subsegments_dropped: before + dropped } };
    document = JSON.stringify(segment);
  }
  return document;
}

/** A subsegment and the subsegments inside it. */
function countOf(document: NodeDocument): number {
  return 1 + (document.subsegments ?? []).reduce((sum, s) => sum + countOf(s), 0);
}

/** What the SDK's IncomingRequestData records of a request. */
function incomingRequestData(request: IncomingMessage): Record<string, string | boolean> {
  const forwarded = request.headers['x-forwarded-for'];
  const secure = (request.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const url = `${secure ? 'https' : 'http'}://${request.headers.host ?? ''}${request.url ?? ''}`;
  const data: Record<string, string | boolean> = {
    method: request.method ?? '',
    url: url.slice(0, maxTextLength),
    user_agent: (request.headers['user-agent'] ?? '').slice(0, maxTextLength),
    client_ip:
      (typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined) ??
      request.socket?.remoteAddress ??
      '',
  };
  if (forwarded) data.x_forwarded_for = true;
  return data;
}

function nameOf(subject: ChildSubject): string {
  if (subject.kind === 'sql') return subject.target.database;
  return subject.service;
}

/**
 * The daemon's TCP address (its proxy to the X-Ray API) from AWS_XRAY_DAEMON_ADDRESS's two
 * forms, as the SDK reads them: `host:port` (TCP and UDP alike), or
 * `tcp:host:port udp:host:port`.
 */
export function daemonProxyOf(address: string): { host: string; port: number } {
  const tcp = /(?:^|\s)tcp:(\S+)/.exec(address)?.[1] ?? address.trim();
  const at = tcp.lastIndexOf(':');
  const port = Number(tcp.slice(at + 1));
  const host = tcp.slice(0, at);
  // A bare IPv6 host is written in brackets; any other colon means a form not read here.
  const plainHost = /^\[[0-9a-fA-F:.]+\]$/.test(host) || !/[:\s]/.test(host);
  if (at < 1 || !plainHost || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TypeError(
      `AWS_XRAY_DAEMON_ADDRESS: "${address}" is neither host:port nor tcp:host:port udp:host:port`,
    );
  }
  return { host: host.replace(/^\[|\]$/g, ''), port };
}

/** The X-Ray API's limit, and the daemon's own batch size. */
const batchSize = 50;
/** How long a segment waits for others to fill a batch. */
const batchDelayMs = 100;
/**
 * Segments waiting past this many, or past this much JSON waiting and in flight (the
 * proxy is down or slow), are dropped, not kept: a segment can hold a hundred statements.
 */
const maxPending = 2_000;
const maxHeldBytes = 4 * 1024 * 1024;
const maxBatchesInFlight = 4;
/**
 * One call's bound, from sending to the last byte of the answer: the proxy forwards each
 * call to the X-Ray API, and a call it never answers must not hold one of the few slots
 * for good. Cut, the call's segments are dropped and the slot sends the next batch.
 */
const defaultCallTimeoutMs = 10_000;
/** The API answers with the documents it refused, each with its id and a short reason. */
const maxAnswerBytes = 1024 * 1024;
const jsonContent = { 'content-type': 'application/json' };

/**
 * Closed segments, sent as `PutTraceSegments` calls through the daemon's TCP proxy, up to
 * 50 a call, at most 100 ms after the first of them closed. Fire and forget: a call that
 * fails or goes unanswered past its bound, or a segment the API refuses, is logged (once a
 * minute at most) and dropped, and the pending ones are capped, so tracing can never hold
 * a service back.
 */
function segmentBatches(
  proxy: { host: string; port: number },
  logger: Logger,
  callTimeoutMs: number | undefined,
): { add(segment: NodeDocument): void; close(): Promise<void> } {
  const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
  // A connection for each call that may be in flight: on one, a call the proxy never
  // answers would hold the others queued behind it.
  const client = new Pool(`http://${host}:${proxy.port}`, {
    connections: maxBatchesInFlight,
    keepAliveTimeout: 30_000,
  });
  /** Documents already written as JSON: the objects die young instead of waiting here. */
  let pending: string[] = [];
  /** The JSON of the documents pending and in flight, in UTF-16 code units. */
  let heldBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  /** The segments in the calls in flight. */
  let sending = 0;
  /** Set when shutdown cuts the calls still in flight: their failure is already told. */
  let cut = false;
  const warnings = createLogThrottle(60_000);
  const warn = (details: object, message: string) => {
    if (warnings() !== undefined) logger.warn(details, message);
  };

  const post = async (batch: readonly string[]) => {
    try {
      // Each document is a JSON string inside the call's JSON. Handed to undici as bytes: a
      // 40 KB string body costs it ~50 µs more CPU a call than the same bytes (measured).
      const body = Buffer.from(
        `{"TraceSegmentDocuments":[${batch.map((document) => JSON.stringify(document)).join(',')}]}`,
      );
      const answer = await exchange(
        client,
        { method: 'POST', path: '/TraceSegments', headers: jsonContent, body },
        callTimeoutMs ?? defaultCallTimeoutMs,
        maxAnswerBytes,
      );
      const text = answer.body.toString('utf8');
      if (answer.status !== 200) {
        warn({ status: answer.status, body: text.slice(0, 500) }, 'X-Ray refused segments');
        return;
      }
      const unprocessed = (JSON.parse(text) as { UnprocessedTraceSegments?: unknown[] })
        .UnprocessedTraceSegments;
      if (unprocessed?.length) {
        warn({ unprocessed: unprocessed.slice(0, 3) }, 'X-Ray did not take some segments');
      }
    } catch (error) {
      if (!cut) warn({ err: error }, 'could not send segments to the X-Ray daemon');
    }
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    while (pending.length > 0 && inFlight.size < maxBatchesInFlight) {
      const batch = pending.splice(0, batchSize);
      sending += batch.length;
      const sent = post(batch).finally(() => {
        sending -= batch.length;
        for (const document of batch) heldBytes -= document.length;
        inFlight.delete(sent);
        if (pending.length >= batchSize) flush();
        else if (pending.length > 0) timer ??= setTimeout(flush, batchDelayMs).unref();
      });
      inFlight.add(sent);
    }
  };

  return {
    add(segment) {
      if (pending.length >= maxPending || heldBytes >= maxHeldBytes) {
        warn(
          { pending: pending.length, heldBytes },
          'dropped segments: the X-Ray daemon is not keeping up',
        );
        return;
      }
      const document = fitted(segment);
      heldBytes += document.length;
      pending.push(document);
      if (pending.length >= batchSize) flush();
      else timer ??= setTimeout(flush, batchDelayMs).unref();
    },
    async close() {
      // What is still pending goes now; the wait is bounded, as shutdown's is.
      const deadline = Date.now() + 2_000;
      while ((pending.length > 0 || inFlight.size > 0) && Date.now() < deadline) {
        flush();
        await Promise.race([
          Promise.all(inFlight),
          new Promise((resolve) => setTimeout(resolve, deadline - Date.now()).unref()),
        ]);
      }
      clearTimeout(timer);
      const dropped = pending.length + sending;
      for (const document of pending) heldBytes -= document.length;
      pending = [];
      // A call still in flight past the bound is cut, not waited for.
      cut = inFlight.size > 0;
      if (dropped > 0) {
        logger.warn(
          { calls: inFlight.size, segments: dropped },
          'shutdown dropped segments: the X-Ray daemon did not take them within 2 s',
        );
      }
      await (cut ? client.destroy() : client.close()).catch(() => undefined);
    },
  };
}
