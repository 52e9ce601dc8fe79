import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Jwks } from '@storekeeper/contracts';
import type { JWK } from 'jose';

/** The public keys that verify access tokens, for the gateway and every service. */
export function jwksRoutes(jwks: () => { keys: JWK[] }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/.well-known/jwks.json',
      {
        schema: {
          summary: 'Keys that verify access tokens',
          tags: ['auth'],
          response: { 200: Jwks },
        },
      },
      async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(jwks()),
    );
  };
}
