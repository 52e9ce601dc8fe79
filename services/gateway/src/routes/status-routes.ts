import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SystemStatus } from '@storekeeper/contracts';
import type { SystemStatusReader } from '../adapters/system-status.ts';
import { gatewayErrors } from '../errors.ts';

/**
 * GET /api/status: each service's readiness, circuit breaker, recent error rate and
 * latency. Always 200 while the gateway serves: the body says what is degraded.
 */
export function statusRoutes(status: SystemStatusReader): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/status',
      {
        schema: {
          summary: 'Each service’s readiness, circuit breaker, recent error rate and latency',
          tags: ['status'],
          response: { 200: SystemStatus, ...gatewayErrors.responses('OVERLOADED') },
        },
      },
      async (_request, reply) => {
        void reply.header('cache-control', 'no-store');
        return status.read();
      },
    );
  };
}
