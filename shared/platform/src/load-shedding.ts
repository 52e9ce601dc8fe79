import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { kitProblem, sendProblem } from './error-handler.ts';
import { createLogThrottle } from './log-throttle.ts';

export interface LoadSheddingOptions {
  /** Event-loop delay above which requests are refused; 0 disables shedding. */
  readonly maxEventLoopDelayMs: number;
  readonly retryAfterSeconds?: number;
  readonly sampleIntervalMs?: number;
}

/**
 * Refuses work with 503 + Retry-After while the event loop lags, so a saturated task
 * answers quickly instead of timing out everything it holds. Register it in the scope
 * of the business routes only: health probes must keep answering.
 */
export async function registerLoadShedding(
  scope: FastifyInstance,
  options: LoadSheddingOptions,
): Promise<void> {
  if (options.maxEventLoopDelayMs === 0) return;
  const retryAfter = options.retryAfterSeconds ?? 2;
  const sampleInterval = options.sampleIntervalMs ?? 1_000;
  // A sample covers the interval before it, so the first one after start-up can measure
  // the start-up itself (modules, schemas, connections, a machine busy starting the rest of
  // the system): counted as load, it refused every request for an interval once the service
  // had said it was ready. Only the samples taken wholly after ready are believed.
  let believedFrom = Number.POSITIVE_INFINITY;
  scope.addHook('onReady', (done) => {
    believedFrom = performance.now() + 2 * sampleInterval;
    done();
  });
  // One warning a second at most, counting what was refused since the last one: a line per
  // refused request would add to the load exactly when the service has none to spare.
  const refusals = createLogThrottle(1_000);
  await scope.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    sampleInterval,
    pressureHandler: (request, reply, type, value) => {
      // Nothing sent: the request goes on.
      if (type === 'eventLoopDelay' && performance.now() < believedFrom) return;
      const refused = refusals();
      if (refused !== undefined) request.log.warn({ type, value, refused }, 'shedding load');
      void reply.header('retry-after', String(retryAfter));
      sendProblem(
        reply,
        kitProblem(
          'OVERLOADED',
          'The service is overloaded; retry after the given delay',
          request.id,
        ),
      );
    },
  });
}
