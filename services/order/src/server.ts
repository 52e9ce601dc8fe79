import { createPostgresPool, runService } from '@storekeeper/platform';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

await runService({
  name: 'order',
  configSchema,
  async build({ config, logger, lifecycle }) {
    const pool = createPostgresPool({
      connectionString: config.DATABASE_URL,
      applicationName: 'order',
      logger,
    });
    const app = await buildApp({ config, logger, lifecycle, pool });
    // Runs after in-flight requests have finished.
    app.addHook('onClose', async () => pool.end());
    return app;
  },
});
