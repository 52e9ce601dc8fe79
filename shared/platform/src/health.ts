import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Lifecycle } from './lifecycle.ts';

/** One backing service the service cannot serve without (database, queue, table). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or outlives the timeout) when not. */
  check(signal: AbortSignal): Promise<void>;
}

export interface HealthOptions {
  readonly lifecycle: Lifecycle;
  readonly checks: readonly ReadinessCheck[];
  /** How long one check may take before it counts as failed. */
  readonly checkTimeoutMs?: number;
}

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('ready'), Type.Literal('not-ready')]),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

/**
 * Liveness says the process runs (a restart would not help otherwise); readiness says
 * it can serve now: not shutting down and every backing service answering. Readiness
 * is evaluated on each call, so it recovers without a restart when a dependency does.
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  const schema = { hide: true, response: { 200: HealthSchema, 503: HealthSchema } };

  app.get('/health/live', { schema, logLevel: 'warn' }, async () => ({ status: 'ok' as const }));

  app.get('/health/ready', { schema, logLevel: 'warn' }, async (_request, reply) => {
    if (options.lifecycle.shuttingDown) {
      return reply.code(503).send({ status: 'not-ready', checks: { lifecycle: 'shutting down' } });
    }
    const results = await Promise.all(options.checks.map((check) => runCheck(check, timeoutMs)));
    const checks = Object.fromEntries(results);
    const ready = results.every(([, result]) => result === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<[string, string]> {
  try {
    await checkWithin(check, timeoutMs);
    return [check.name, 'ok'];
  } catch (error) {
    return [check.name, `failed: ${(error as Error).message}`];
  }
}

/** Runs `check`, rejecting when it fails or when it has not answered within `timeoutMs`. */
export function checkWithin(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  return Promise.race([
    check.check(signal),
    new Promise<never>((_, reject) => {
      signal.addEventListener(
        'abort',
        () => reject(new Error(`no answer within ${timeoutMs} ms`)),
        { once: true },
      );
    }),
  ]);
}
