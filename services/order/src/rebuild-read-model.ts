/**
 * The one-off admin process that rebuilds the order read model (`orders`) from the event
 * store (`order_events`), in one transaction: after a projection bug is fixed, or to
 * check that the read model is what the events say. `pnpm --filter @storekeeper/order
 * rebuild-read-model` locally, `node dist/rebuild-read-model.js` in the image (an ECS
 * one-off task, like the migration). Readers keep the old rows until it commits; writes
 * to orders wait for it.
 */
import { createLogger, createPostgresPool, loadConfig } from '@storekeeper/platform';
import { Type } from 'typebox';
import { rebuildOrdersReadModel } from './adapters/order-projection.ts';
import { configSchema } from './config.ts';

const schema = Type.Pick(configSchema, [
  'DATABASE_URL',
  'LOG_LEVEL',
  'AWS_REGION',
  'SSM_PARAMETER_PATH',
]);

async function main(): Promise<void> {
  let loaded: Awaited<ReturnType<typeof loadConfig<typeof schema>>>;
  try {
    loaded = await loadConfig(schema);
  } catch (error) {
    process.stderr.write(`order rebuild-read-model: cannot start. ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const { config, secrets } = loaded;
  const logger = createLogger({ service: 'order-rebuild', level: config.LOG_LEVEL, secrets });
  const pool = await createPostgresPool({
    connectionString: config.DATABASE_URL,
    applicationName: 'order-rebuild',
    logger,
    // Emptying a large read model takes longer than any statement of a request may.
    statementTimeoutMs: 10 * 60_000,
  });
  try {
    const startedAt = Date.now();
    const orders = await rebuildOrdersReadModel(pool);
    logger.info({ orders, ms: Date.now() - startedAt }, 'order read model rebuilt');
  } catch (error) {
    logger.error({ err: error }, 'rebuilding the order read model failed; it is unchanged');
    process.exitCode = 1;
  } finally {
    await pool.end();
    logger.flush();
  }
}

await main();
