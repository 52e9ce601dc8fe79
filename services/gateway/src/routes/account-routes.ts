import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BillingAccount,
  SignUpRequest,
  TokenRequest,
  TokenResponse,
  UserProfile,
  VerifyEmailRequest,
  VerifyEmailResponse,
} from '@storekeeper/contracts';
import type { onRequestAsyncHookHandler } from 'fastify';
import type { Upstreams } from '../adapters/upstreams.ts';
import { gatewayErrors } from '../errors.ts';
import { forward } from './forward.ts';

export interface AccountRoutesDeps {
  readonly upstreams: Upstreams;
  readonly authenticate: onRequestAsyncHookHandler;
  /** Route config that puts a route under the auth-route rate limit. */
  readonly rateLimited: { rateLimit: { max: number; timeWindow: string } };
}
const bearer = [{ bearerAuth: [] }];
/** Answered by the gateway itself, or by the service behind it, on every route. */
const unavailable = ['UPSTREAM_UNAVAILABLE', 'OVERLOADED'] as const;
/** The gateway's answers to a bad or missing token, before anything is forwarded. */
const unauthenticated = ['INVALID_TOKEN', 'JWKS_UNAVAILABLE'] as const;
/** Bodies are parsed and validated here first, and again by the service. */
const invalidBody = ['INVALID_INPUT', 'INVALID_JSON'] as const;

/** Sign-up, login, verification, profile and billing account: DESIGN §3. */
export function accountRoutes(deps: AccountRoutesDeps): FastifyPluginAsyncTypebox {
  const { user, billing } = deps.upstreams;
  return async (app) => {
    app.post(
      '/api/users',
      {
        config: deps.rateLimited,
        schema: {
          summary: 'Sign up; a verification email is sent',
          tags: ['users'],
          body: SignUpRequest,
          response: {
            201: UserProfile,
            ...gatewayErrors.responses(
              ...invalidBody,
              'WEAK_PASSWORD',
              'EMAIL_TAKEN',
              'TOO_MANY_REQUESTS',
              ...unavailable,
            ),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, user, { method: 'POST', path: '/users', body: request.body });
      },
    );

    app.post(
      '/api/auth/token',
      {
        config: deps.rateLimited,
        schema: {
          summary: 'Log in: exchange email and password for an access token',
          tags: ['auth'],
          body: TokenRequest,
          response: {
            200: TokenResponse,
            ...gatewayErrors.responses(
              ...invalidBody,
              'INVALID_CREDENTIALS',
              'TOO_MANY_REQUESTS',
              ...unavailable,
            ),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, user, {
          method: 'POST',
          path: '/auth/token',
          body: request.body,
        });
      },
    );

    app.post(
      '/api/users/verify-email',
      {
        config: deps.rateLimited,
        schema: {
          summary: 'Verify an email address with the token from the verification email',
          tags: ['users'],
          body: VerifyEmailRequest,
          response: {
            200: VerifyEmailResponse,
            ...gatewayErrors.responses(
              ...invalidBody,
              'INVALID_VERIFICATION_TOKEN',
              'TOO_MANY_REQUESTS',
              ...unavailable,
            ),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, user, {
          method: 'POST',
          path: '/users/verify-email',
          body: request.body,
        });
      },
    );

    app.get(
      '/api/users/me',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'The caller’s own profile',
          tags: ['users'],
          security: bearer,
          response: {
            200: UserProfile,
            ...gatewayErrors.responses(...unauthenticated, 'USER_NOT_FOUND', ...unavailable),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, user, { method: 'GET', path: '/users/me' });
      },
    );

    app.get(
      '/api/billing/account',
      {
        onRequest: deps.authenticate,
        schema: {
          summary:
            'The caller’s billing account: address, credit limit, available credit, recent charges',
          tags: ['billing'],
          security: bearer,
          response: {
            200: BillingAccount,
            ...gatewayErrors.responses(
              ...unauthenticated,
              'BILLING_ACCOUNT_NOT_FOUND',
              ...unavailable,
            ),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, billing, { method: 'GET', path: '/billing/account' });
      },
    );
  };
}
