import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Mailbox, MailboxQuery } from '@storekeeper/contracts';
import type { Upstreams } from '../adapters/upstreams.ts';
import { gatewayErrors } from '../errors.ts';
import { forward } from './forward.ts';

/**
 * Development helpers. Registered only when NODE_ENV is not production, so in production
 * these paths do not exist at all (404), rather than existing and refusing.
 */
export function devRoutes(upstreams: Upstreams): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/dev/mailbox',
      {
        schema: {
          summary: 'Emails the system sent to an address (development only)',
          tags: ['development'],
          querystring: MailboxQuery,
          response: {
            200: Mailbox,
            ...gatewayErrors.responses('INVALID_INPUT', 'UPSTREAM_UNAVAILABLE', 'OVERLOADED'),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, upstreams.email, {
          method: 'GET',
          path: `/dev/mailbox?to=${encodeURIComponent(request.query.to)}`,
        });
      },
    );
  };
}
