import { createPostgresPool, defineService } from '@storekeeper/platform';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

/** The order service: so far its database and health; orders come next. */
export const service = defineService({
  name: 'order',
  description: 'Product catalogue and orders',
  configSchema,
  stores: { postgres: { database: 'orders', role: 'storekeeper_order' } },
  createDeps({ config, logger, closeOnShutdown }) {
    const pool = createPostgresPool({
      connectionString: config.DATABASE_URL,
      applicationName: 'order',
      logger,
    });
    closeOnShutdown('postgres pool', () => pool.end());
    return { pool };
  },
  buildApp: (deps, context) => buildApp({ ...context, ...deps }),
});
