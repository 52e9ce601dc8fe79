import { randomBytes, randomUUID } from 'node:crypto';
import type { Outbox } from '@storekeeper/messaging';
import {
  buildServiceApp,
  createAuthenticationHook,
  createTokenVerifier,
  type Lifecycle,
  type PostgresPool,
  postgresReadinessCheck,
  type ServiceApp,
} from '@storekeeper/platform';
import { createLocalJWKSet } from 'jose';
import type { Logger } from 'pino';
import { createPasswordHasher, type PasswordHasher } from './adapters/password-hasher.ts';
import { createPostgresUserStore } from './adapters/postgres-user-store.ts';
import type { TokenIssuer } from './adapters/token-issuer.ts';
import type { Config } from './config.ts';
import { createUserService } from './domain/user-service.ts';
import { internalRoutes } from './routes/internal-routes.ts';
import { jwksRoutes } from './routes/jwks-routes.ts';
import { userRoutes } from './routes/user-routes.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly pool: PostgresPool;
  readonly tokenIssuer: TokenIssuer;
  readonly outbox: Outbox;
  readonly passwords?: PasswordHasher;
  readonly now?: () => Date;
}

/** The user service as a Fastify instance that never listens (server.ts does that). */
export async function buildApp(deps: AppDeps): Promise<ServiceApp> {
  const users = createUserService({
    store: createPostgresUserStore(deps.pool, deps.outbox),
    passwords: deps.passwords ?? createPasswordHasher(),
    tokens: deps.tokenIssuer,
    newId: randomUUID,
    newVerificationToken: () => randomBytes(32).toString('base64url'),
    now: deps.now ?? (() => new Date()),
    verificationTtlMs: deps.config.EMAIL_VERIFICATION_TTL_HOURS * 3_600_000,
  });
  // This service holds the keys, so it verifies against them directly, not over HTTP.
  const authenticate = createAuthenticationHook(
    createTokenVerifier({
      keySet: createLocalJWKSet(deps.tokenIssuer.jwks()),
      issuer: deps.config.JWT_ISSUER,
      audience: deps.config.JWT_AUDIENCE,
    }),
  );

  return buildServiceApp({
    name: 'user',
    description: 'Accounts: sign-up, login, JWT issuing and JWKS, profile, email verification',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    readiness: [postgresReadinessCheck(deps.pool)],
    loadShedding: { maxEventLoopDelayMs: deps.config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    environment: deps.config.NODE_ENV,
    routes: async (app) => {
      await app.register(userRoutes({ users, authenticate }));
      await app.register(jwksRoutes(deps.tokenIssuer.jwks));
      await app.register(internalRoutes(users));
    },
  });
}
