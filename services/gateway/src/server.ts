import { runService } from '@storekeeper/platform';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

await runService({
  name: 'gateway',
  configSchema,
  build: ({ config, logger, lifecycle }) => buildApp({ config, logger, lifecycle }),
});
