import { postgresMessagingWorkers, topologyFromConfig } from '@storekeeper/messaging';
import {
  createPostgresPool,
  createServiceClient,
  defineService,
  tokenVerifierFromConfig,
} from '@storekeeper/platform';
import { createPostgresIdempotencyKeyStore } from './adapters/postgres-idempotency-key-store.ts';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';
import { orderHandlers } from './handlers/index.ts';
import { createPostgresOrderService } from './postgres-order-service.ts';
import { idempotencyKeySweeper } from './workers/idempotency-key-sweeper.ts';

/** The order service: the catalogue, and orders settled by billing's payment events. */
export const service = defineService({
  name: 'order',
  description: 'Product catalogue and orders',
  configSchema,
  stores: { postgres: { database: 'orders', role: 'storekeeper_order' } },
  // Before an order is taken: is the customer's email verified?
  calls: ['user'],
  async createDeps({ config, logger, closeOnShutdown }) {
    const pool = await createPostgresPool({
      connectionString: config.DATABASE_URL,
      applicationName: 'order',
      logger,
    });
    closeOnShutdown('postgres pool', () => pool.end());
    const userService = createServiceClient({
      name: 'user',
      baseUrl: config.USER_SERVICE_URL,
      logger,
    });
    closeOnShutdown('user service client', () => userService.close());
    return { pool, userService, tokens: tokenVerifierFromConfig(config) };
  },
  buildApp: (deps, context) => buildApp({ ...context, ...deps }),
  workers: ({ pool, userService }, { config, logger, aws }) => [
    idempotencyKeySweeper({ keys: createPostgresIdempotencyKeyStore(), db: pool, logger }),
    ...postgresMessagingWorkers({
      service: 'order',
      pool,
      aws,
      topology: topologyFromConfig(config),
      logger,
      handlers: orderHandlers(
        createPostgresOrderService({
          pool,
          userService,
          keyTtlHours: config.IDEMPOTENCY_KEY_TTL_HOURS,
        }),
      ),
    }),
  ],
});
