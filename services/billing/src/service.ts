import { createOutbox, postgresMessagingWorkers, topologyFromConfig } from '@storekeeper/messaging';
import { createPostgresPool, defineService, tokenVerifierFromConfig } from '@storekeeper/platform';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';
import { billingHandlers } from './handlers/index.ts';

/** The billing service: accounts with a credit limit, and the charges against them. */
export const service = defineService({
  name: 'billing',
  description: 'Billing accounts, credit limits and charges',
  configSchema,
  stores: { postgres: { database: 'billing', role: 'storekeeper_billing' } },
  async createDeps({ config, logger, closeOnShutdown }) {
    const pool = await createPostgresPool({
      connectionString: config.DATABASE_URL,
      applicationName: 'billing',
      logger,
    });
    closeOnShutdown('postgres pool', () => pool.end());
    return { pool, tokens: tokenVerifierFromConfig(config) };
  },
  buildApp: (deps, context) => buildApp({ ...context, ...deps }),
  workers: ({ pool }, { config, logger, aws }) =>
    postgresMessagingWorkers({
      service: 'billing',
      pool,
      aws,
      topology: topologyFromConfig(config),
      logger,
      handlers: billingHandlers(config, createOutbox()),
    }),
});
