import { createOutbox, postgresMessagingWorkers, topologyFromConfig } from '@storekeeper/messaging';
import { createPostgresPool, defineService } from '@storekeeper/platform';
import { createTokenIssuer } from './adapters/token-issuer.ts';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

/** The user service: accounts, sign-in tokens and their keys, email verification. */
export const service = defineService({
  name: 'user',
  description: 'Accounts: sign-up, login, JWT issuing and JWKS, profile, email verification',
  configSchema,
  stores: { postgres: { database: 'users', role: 'storekeeper_user' } },
  // Every service that verifies access tokens finds the keys here.
  provides: { JWKS_URL: '/.well-known/jwks.json' },
  async createDeps({ config, logger, closeOnShutdown }) {
    const tokenIssuer = await createTokenIssuer({
      privateKeyPem: config.JWT_PRIVATE_KEY,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    });
    const pool = await createPostgresPool({
      connectionString: config.DATABASE_URL,
      applicationName: 'user',
      logger,
    });
    closeOnShutdown('postgres pool', () => pool.end());
    return { pool, tokenIssuer, outbox: createOutbox() };
  },
  buildApp: (deps, context) => buildApp({ ...context, ...deps }),
  workers: ({ pool }, { config, logger, aws }) =>
    postgresMessagingWorkers({
      service: 'user',
      pool,
      aws,
      topology: topologyFromConfig(config),
      logger,
    }),
});
