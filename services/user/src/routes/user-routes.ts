import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  SignUpRequest,
  TokenRequest,
  TokenResponse,
  UserProfile,
  VerifyEmailRequest,
  VerifyEmailResponse,
} from '@storekeeper/contracts';
import { callerOf } from '@storekeeper/platform';
import type { onRequestAsyncHookHandler } from 'fastify';
import type { User } from '../domain/user.ts';
import type { UserService } from '../domain/user-service.ts';
import { userErrors } from '../errors.ts';

export interface UserRoutesDeps {
  readonly users: UserService;
  readonly authenticate: onRequestAsyncHookHandler;
}

export function toProfile(user: User) {
  return { ...user, createdAt: user.createdAt.toISOString() };
}

/** The public user API; the gateway exposes it under /api. */
export function userRoutes(deps: UserRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/users',
      {
        schema: {
          summary: 'Sign up',
          tags: ['users'],
          body: SignUpRequest,
          response: {
            201: UserProfile,
            ...userErrors.responses(
              'INVALID_INPUT',
              'INVALID_JSON',
              'WEAK_PASSWORD',
              'EMAIL_TAKEN',
            ),
          },
        },
      },
      async (request, reply) => {
        const user = await deps.users.signUp(request.body);
        return reply.code(201).header('location', '/api/users/me').send(toProfile(user));
      },
    );

    app.post(
      '/auth/token',
      {
        schema: {
          summary: 'Log in: exchange email and password for an access token',
          tags: ['auth'],
          body: TokenRequest,
          response: {
            200: TokenResponse,
            ...userErrors.responses('INVALID_INPUT', 'INVALID_JSON', 'INVALID_CREDENTIALS'),
          },
        },
      },
      async (request, reply) => {
        const token = await deps.users.logIn(request.body.email, request.body.password);
        // Tokens are credentials: no cache may keep them.
        return reply.header('cache-control', 'no-store').send(token);
      },
    );

    app.post(
      '/users/verify-email',
      {
        schema: {
          summary: 'Verify an email address with the token from the verification email',
          tags: ['users'],
          body: VerifyEmailRequest,
          response: {
            200: VerifyEmailResponse,
            ...userErrors.responses('INVALID_INPUT', 'INVALID_JSON', 'INVALID_VERIFICATION_TOKEN'),
          },
        },
      },
      async (request) => {
        await deps.users.verifyEmail(request.body.token);
        return { emailVerified: true as const };
      },
    );

    app.get(
      '/users/me',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'The caller’s own profile',
          tags: ['users'],
          security: [{ bearerAuth: [] }],
          response: {
            200: UserProfile,
            ...userErrors.responses('INVALID_TOKEN', 'USER_NOT_FOUND'),
          },
        },
      },
      async (request) => toProfile(await deps.users.profile(callerOf(request).userId)),
    );
  };
}
