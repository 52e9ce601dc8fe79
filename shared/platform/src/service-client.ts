import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { Agent, request as undiciRequest } from 'undici';
import { kitErrors } from './define-errors.ts';

export interface ServiceClientOptions {
  /** The service called, for logs and errors (e.g. `user`). */
  readonly name: string;
  readonly baseUrl: string;
  readonly logger: Logger;
  /** Bound for establishing a TCP connection. */
  readonly connectTimeoutMs?: number;
  /** Bound for one attempt, from sending to the last byte of the response. */
  readonly timeoutMs?: number;
  /** Extra attempts for idempotent methods only (GET, HEAD, PUT, DELETE, OPTIONS). */
  readonly retries?: number;
  readonly breaker?: {
    /** Calls in the rolling window before the breaker may open at all. */
    readonly volumeThreshold?: number;
    readonly errorThresholdPercentage?: number;
    /** How long an open breaker fails fast before letting one trial call through. */
    readonly resetTimeoutMs?: number;
    readonly rollingCountTimeoutMs?: number;
  };
}

export interface ServiceRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  readonly path: string;
  readonly headers?: Record<string, string | undefined>;
  readonly body?: unknown;
}

export interface ServiceResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface ServiceClient {
  readonly name: string;
  /**
   * Resolves with any answer the service gave (2xx–5xx): 4xx are the caller's problem and
   * never trip the breaker; 5xx do. Throws ServiceUnavailableError when the breaker is open
   * or the service did not answer in time.
   */
  request(request: ServiceRequest): Promise<ServiceResponse>;
  breakerState(): BreakerState;
  close(): Promise<void>;
}

const idempotent = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

class UpstreamFailure extends Error {
  readonly response: ServiceResponse;
  constructor(response: ServiceResponse) {
    super(`answered ${response.status}`);
    this.response = response;
  }
}

/**
 * An HTTP client for one service-to-service edge: connect and total timeouts, a fresh
 * abort signal per attempt, an opossum circuit breaker, and capped, jittered retries of
 * idempotent calls only. Retries live here and nowhere else in a call chain.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const retries = options.retries ?? 1;
  const resetTimeoutMs = options.breaker?.resetTimeoutMs ?? 10_000;
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 1_000 },
    keepAliveTimeout: 10_000,
  });

  async function attempt(request: ServiceRequest): Promise<ServiceResponse> {
    const url = new URL(request.path, options.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [key, value] of Object.entries(request.headers ?? {})) {
      if (value !== undefined) headers[key.toLowerCase()] = value;
    }
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    const response = await undiciRequest(url, {
      method: request.method,
      headers,
      body,
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text();
    const contentType = String(response.headers['content-type'] ?? '');
    const result: ServiceResponse = {
      status: response.statusCode,
      headers: flattenHeaders(response.headers),
      body: text && contentType.includes('json') ? JSON.parse(text) : text || undefined,
    };
    if (result.status >= 500) throw new UpstreamFailure(result);
    return result;
  }

  const breaker = new CircuitBreaker(attempt, {
    name: options.name,
    // Each attempt carries its own abort signal; opossum's timer would not cancel the socket.
    timeout: false,
    volumeThreshold: options.breaker?.volumeThreshold ?? 10,
    errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
    resetTimeout: resetTimeoutMs,
    rollingCountTimeout: options.breaker?.rollingCountTimeoutMs ?? 10_000,
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

  return {
    name: options.name,
    async request(request) {
      const attempts = idempotent.has(request.method) ? retries + 1 : 1;
      for (let n = 1; ; n++) {
        try {
          return await breaker.fire(request);
        } catch (error) {
          if (isOpenBreaker(error)) throw unavailable('circuit open, failing fast', error);
          const retryable = n < attempts && isRetryable(error);
          if (!retryable) {
            if (error instanceof UpstreamFailure) return error.response;
            options.logger.warn({ upstream: options.name, err: error }, 'upstream call failed');
            throw unavailable('no answer in time', error);
          }
          await backoff(n);
        }
      }
    },
    breakerState() {
      if (breaker.opened) return 'open';
      if (breaker.halfOpen) return 'half-open';
      return 'closed';
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

function isRetryable(error: unknown): boolean {
  if (error instanceof UpstreamFailure)
    return error.response.status === 502 || error.response.status === 503;
  return true; // connection refused, reset, timed out: nothing reached the handler's answer
}

/** Full jitter: a random wait in [0, 100 ms × 2^(n-1)], capped at 1 s. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(1_000, 100 * 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
