import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { UserProfile } from '@storekeeper/contracts';
import { Type } from 'typebox';
import type { UserService } from '../domain/user-service.ts';
import { userErrors } from '../errors.ts';
import { toProfile } from './user-routes.ts';

/**
 * Routes for other services only. The gateway never forwards `/internal/*`; on ECS
 * they are reachable through Service Connect inside the cluster alone.
 */
export function internalRoutes(users: UserService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/internal/users/:userId',
      {
        schema: {
          summary: 'A user, for other services',
          tags: ['internal'],
          params: Type.Object({ userId: Type.String({ format: 'uuid' }) }),
          response: {
            200: UserProfile,
            ...userErrors.responses('INVALID_INPUT', 'USER_NOT_FOUND'),
          },
        },
      },
      async (request) => toProfile(await users.profile(request.params.userId)),
    );
  };
}
