import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LatestTraceQuery, TraceView } from '@storekeeper/contracts';
import { traceView } from '@storekeeper/contracts/traces';
import { Type } from 'typebox';
import type { TraceReader } from '../adapters/trace-file.ts';
import { gatewayErrors } from '../errors.ts';

const TraceId = Type.String({
  pattern: '^1-[0-9a-f]{8}-[0-9a-f]{24}$',
  description: 'An X-Ray trace id: the Root of a response’s X-Amzn-Trace-Id',
});

/**
 * Development only (not registered in production): the traces `pnpm start` received, as
 * the spans `pnpm trace` prints.
 */
export function devTraceRoutes(traces: TraceReader): FastifyPluginAsyncTypebox {
  const requireFile = () => {
    if (!traces.kept) {
      throw gatewayErrors.create(
        'TRACE_NOT_FOUND',
        'no traces are kept here: `pnpm start` keeps them (and sets DEV_TRACE_FILE)',
      );
    }
  };
  return async (app) => {
    app.get(
      '/api/dev/traces/latest',
      {
        schema: {
          summary: 'The latest order’s trace, or the latest request’s (development only)',
          tags: ['development'],
          querystring: LatestTraceQuery,
          response: {
            200: TraceView,
            ...gatewayErrors.responses('INVALID_INPUT', 'TRACE_NOT_FOUND', 'OVERLOADED'),
          },
        },
      },
      async (request) => {
        requireFile();
        const { of } = request.query;
        const trace = await traces.latest(of);
        if (!trace) {
          throw gatewayErrors.create(
            'TRACE_NOT_FOUND',
            of === 'order' ? 'no order has been placed since tracing began' : 'no trace yet',
          );
        }
        return traceView(trace);
      },
    );

    app.get(
      '/api/dev/traces/:traceId',
      {
        schema: {
          summary: 'One trace, span by span (development only)',
          tags: ['development'],
          params: Type.Object({ traceId: TraceId }),
          response: {
            200: TraceView,
            ...gatewayErrors.responses('INVALID_INPUT', 'TRACE_NOT_FOUND', 'OVERLOADED'),
          },
        },
      },
      async (request) => {
        requireFile();
        const trace = await traces.trace(request.params.traceId);
        if (!trace) {
          throw gatewayErrors.create('TRACE_NOT_FOUND', `no trace ${request.params.traceId}`);
        }
        return traceView(trace);
      },
    );
  };
}
