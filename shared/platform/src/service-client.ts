import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { Agent, type Dispatcher } from 'undici';
import {
  AnswerTooLarge,
  AttemptTimedOut,
  exchange,
  type RawServiceResponse,
} from './buffered-exchange.ts';
import { kitErrors } from './define-errors.ts';
import { createRollingWindow, percentiles } from './rolling-window.ts';
import { tracing } from './tracing/tracing.ts';

export interface ServiceClientOptions {
  /** The service called, for logs and errors (e.g. `user`). */
  readonly name: string;
  readonly baseUrl: string;
  readonly logger: Logger;
  /** Bound for establishing a TCP connection. */
  readonly connectTimeoutMs?: number;
  /** Bound for one attempt, from sending to the last byte of the response. */
  readonly timeoutMs?: number;
  /**
   * The largest answer read, in bytes (default 1 MiB). A bigger one is cut as it arrives
   * (its socket closed, nothing more buffered) and the call fails as unavailable, counted
   * by the breaker and never retried: a service sending that much to a JSON API is broken,
   * and the caller's memory is not its buffer.
   */
  readonly maxResponseBytes?: number;
  /** Extra attempts for idempotent methods only (GET, HEAD, PUT, DELETE, OPTIONS). */
  readonly retries?: number;
  /**
   * How many retries the edge may make, over the rolling window: at most `ratio` × the
   * calls in the window (default 0.1), or `minRetries` (default 3) when that is more, so
   * a quiet edge can still retry. When a service fails everything, attempts stay within
   * 1 + ratio per call instead of doubling its load.
   */
  readonly retryBudget?: { readonly ratio?: number; readonly minRetries?: number };
  readonly breaker?: {
    /** Attempts in the rolling window before the breaker may open at all. */
    readonly volumeThreshold?: number;
    /** Share of failed attempts (above it) that opens the breaker. */
    readonly errorThresholdPercentage?: number;
    /** How long an open breaker fails fast before letting one trial call through. */
    readonly resetTimeoutMs?: number;
    /** The rolling window of the breaker, of the retry budget and of `stats()`. */
    readonly rollingCountTimeoutMs?: number;
  };
}

export interface ServiceRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  /** Path and query string, relative to the base URL; never another origin. */
  readonly path: string;
  readonly headers?: Record<string, string | undefined>;
  /** A value sent as JSON. */
  readonly body?: unknown;
  /** Bytes sent as they are, e.g. a client's body forwarded untouched. */
  readonly payload?: { readonly data: Uint8Array | string; readonly contentType: string };
  /**
   * Bound for this call, retries included: an aggregator's deadline. Each attempt still
   * has the client's own bound; no retry starts once this time is spent.
   */
  readonly timeoutMs?: number;
}

export interface ServiceResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON parsed, other text as text, no body undefined. */
  readonly body: unknown;
}

export type { RawServiceResponse } from './buffered-exchange.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What one edge did over the rolling window, for dashboards and `/api/status`. */
export interface ServiceClientStats {
  readonly breaker: BreakerState;
  readonly windowMs: number;
  /** Calls made through the client. */
  readonly calls: number;
  /** Requests sent to the service: the calls the breaker let through, plus retries. */
  readonly attempts: number;
  readonly retries: number;
  /** Calls that ended without an answer below 500: a 5xx, no answer, or the breaker open. */
  readonly failures: number;
  /** Of those, calls the open breaker failed fast (the service was not called). */
  readonly rejected: number;
  /** Attempts cut at the timeout. */
  readonly timeouts: number;
  /** failures ÷ calls, 0 without calls. */
  readonly errorRate: number;
  /** Of the attempts that reached the service (answered or cut); null without any. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
  /** The connection pool: open sockets, those serving a request, requests waiting for one. */
  readonly connections: { readonly open: number; readonly busy: number; readonly queued: number };
}

export interface ServiceClient {
  readonly name: string;
  /**
   * Resolves with any answer the service gave (2xx–5xx): 4xx are the caller's problem and
   * never trip the breaker; 5xx do. Throws ServiceUnavailableError when the breaker is open
   * or the service did not answer in time. A body labelled JSON that does not parse throws.
   */
  request(request: ServiceRequest): Promise<ServiceResponse>;
  /** The same call, answering with the service's bytes: for passing a response on as is. */
  requestRaw(request: ServiceRequest): Promise<RawServiceResponse>;
  /**
   * One GET outside the breaker, the retries and the stats (a health probe must neither
   * trip nor be refused by the breaker): the status, or a rejection when no answer came.
   */
  probe(path: string, options: { readonly timeoutMs: number }): Promise<{ status: number }>;
  breakerState(): BreakerState;
  stats(): ServiceClientStats;
  close(): Promise<void>;
}

const idempotent = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const counters = ['calls', 'attempts', 'retries', 'failures', 'rejected', 'timeouts'] as const;

/** A 5xx answer: a failure for the breaker, yet an answer the caller gets when retries end. */
class UpstreamFailure extends Error {
  readonly response: RawServiceResponse;
  constructor(response: RawServiceResponse) {
    super(`answered ${response.status}`);
    this.response = response;
  }
}

/**
 * An HTTP client for one service-to-service edge: connect and total timeouts that abort
 * the request (and free its socket), an opossum circuit breaker, and capped, jittered
 * retries of idempotent calls only, under a retry budget. Retries live here and nowhere
 * else in a call chain.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  const retries = options.retries ?? 1;
  const resetTimeoutMs = options.breaker?.resetTimeoutMs ?? 10_000;
  const windowMs = options.breaker?.rollingCountTimeoutMs ?? 10_000;
  const budget = { ratio: 0.1, minRetries: 3, ...options.retryBudget };
  const origin = new URL(options.baseUrl).origin;
  const window = createRollingWindow(windowMs, counters);
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 1_000 },
    keepAliveTimeout: 10_000,
  });

  /** A path is the service's own: `//host/...` or a bare name is the caller's bug. */
  function checkPath(path: string): string {
    if (path[0] !== '/' || path[1] === '/' || path[1] === '\\')
      throw new TypeError(`path ${path} is not a path on ${origin}`);
    return path;
  }

  function dispatchOptions(
    request: ServiceRequest,
    traceHeader: string | undefined,
  ): Dispatcher.DispatchOptions {
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [key, value] of Object.entries(request.headers ?? {})) {
      if (value !== undefined) headers[key.toLowerCase()] = value;
    }
    if (traceHeader) headers['x-amzn-trace-id'] = traceHeader;
    let body: string | Uint8Array | undefined;
    if (request.payload !== undefined) {
      body = request.payload.data;
      headers['content-type'] = request.payload.contentType;
    } else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    return { origin, path: request.path, method: request.method, headers, body };
  }

  async function attempt(request: ServiceRequest, boundMs: number): Promise<RawServiceResponse> {
    const started = performance.now();
    window.add('attempts');
    try {
      // Each attempt is its own subsegment of the caller's trace: retries show as such.
      const result = await tracing().traceCall(
        { service: options.name, method: request.method, url: origin + request.path },
        (traceHeader) => exchange(agent, dispatchOptions(request, traceHeader), boundMs, maxBytes),
      );
      window.latency(performance.now() - started);
      if (result.status >= 500) throw new UpstreamFailure(result);
      return result;
    } catch (error) {
      if (error instanceof AttemptTimedOut) {
        window.latency(performance.now() - started);
        window.add('timeouts');
      }
      throw error;
    }
  }

  const breaker = new CircuitBreaker(attempt, {
    name: options.name,
    // Each attempt carries its own abort signal; opossum's timer would not cancel the socket.
    timeout: false,
    volumeThreshold: options.breaker?.volumeThreshold ?? 10,
    errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
    resetTimeout: resetTimeoutMs,
    rollingCountTimeout: windowMs,
    // Latencies are kept by our own window; opossum would sort its own on every failure.
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    // A request undici refuses to send (a bad header value) is the caller's bug, not an outage.
    errorFilter: isRefusedArgument,
  });
  breaker.on('open', () =>
    options.logger.warn({ upstream: options.name }, 'circuit breaker opened'),
  );
  breaker.on('halfOpen', () =>
    options.logger.info({ upstream: options.name }, 'circuit breaker half-open'),
  );
  breaker.on('close', () =>
    options.logger.info({ upstream: options.name }, 'circuit breaker closed'),
  );

  const unavailable = (detail: string, cause?: unknown) =>
    kitErrors.create(
      'UPSTREAM_UNAVAILABLE',
      `The ${options.name} service is unavailable: ${detail}`,
      { cause, retryAfterSeconds: Math.ceil(resetTimeoutMs / 1000) },
    );

  /** A retry is spent only while the window's budget has room for it. */
  function retryAllowed(): boolean {
    const { calls, retries: spent } = window.totals();
    return spent < Math.max(budget.minRetries, budget.ratio * calls);
  }

  async function call(request: ServiceRequest): Promise<RawServiceResponse> {
    checkPath(request.path);
    window.add('calls');
    const deadline = request.timeoutMs === undefined ? Infinity : Date.now() + request.timeoutMs;
    const attempts = idempotent.has(request.method) ? retries + 1 : 1;
    for (let n = 1; ; n++) {
      const boundMs = Math.max(1, Math.min(timeoutMs, deadline - Date.now()));
      try {
        return await breaker.fire(request, boundMs);
      } catch (error) {
        if (isOpenBreaker(error)) {
          window.add('failures');
          window.add('rejected');
          throw unavailable('circuit open, failing fast', error);
        }
        if (isRefusedArgument(error)) throw error;
        const wait = backoffMs(n);
        const retry =
          n < attempts && isRetryable(error) && Date.now() + wait < deadline && retryAllowed();
        if (!retry) {
          window.add('failures');
          if (error instanceof UpstreamFailure) return error.response;
          options.logger.warn({ upstream: options.name, err: error }, 'upstream call failed');
          const detail =
            error instanceof AttemptTimedOut || error instanceof AnswerTooLarge
              ? error.message
              : 'no answer';
          throw unavailable(detail, error);
        }
        window.add('retries');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  function breakerState(): BreakerState {
    if (breaker.opened) return 'open';
    if (breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  return {
    name: options.name,
    async request(request) {
      const raw = await call(request);
      return { status: raw.status, headers: raw.headers, body: parseBody(raw) };
    },
    requestRaw: call,
    async probe(path, { timeoutMs: probeTimeoutMs }) {
      const options = dispatchOptions({ method: 'GET', path: checkPath(path) }, undefined);
      const { status } = await exchange(agent, options, probeTimeoutMs, maxBytes);
      return { status };
    },
    breakerState,
    stats() {
      const totals = window.totals();
      const pool = agent.stats[origin];
      const open = Number(pool?.connected ?? 0);
      const free = pool && 'free' in pool ? pool.free : 0;
      return {
        breaker: breakerState(),
        windowMs,
        calls: totals.calls,
        attempts: totals.attempts,
        retries: totals.retries,
        failures: totals.failures,
        rejected: totals.rejected,
        timeouts: totals.timeouts,
        errorRate: totals.calls === 0 ? 0 : totals.failures / totals.calls,
        latencyMs: percentiles(window.latencies()),
        connections: {
          open,
          busy: open - free,
          queued: pool?.pending ?? 0,
        },
      };
    },
    async close() {
      breaker.shutdown();
      await agent.close();
    },
  };
}

function isOpenBreaker(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'EOPENBREAKER';
}

/**
 * 502 and 503 say the request was not processed; a refused or reset connection never
 * reached an answer. A timed-out attempt is not retried: the caller's time is spent, and
 * a slow service gets no second helping of the load that slowed it. Nor is an answer cut
 * at the size bound: the same call would get the same answer.
 */
function isRetryable(error: unknown): boolean {
  if (error instanceof UpstreamFailure)
    return error.response.status === 502 || error.response.status === 503;
  return !(error instanceof AttemptTimedOut || error instanceof AnswerTooLarge);
}

function isRefusedArgument(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'UND_ERR_INVALID_ARG';
}

/** Full jitter: a random wait in [0, 100 ms × 2^(n-1)], capped at 1 s. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(1_000, 100 * 2 ** (attempt - 1));
}

function parseBody(response: RawServiceResponse): unknown {
  if (response.body.length === 0) return undefined;
  const text = response.body.toString('utf8');
  return (response.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : text;
}
