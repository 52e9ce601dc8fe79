/**
 * The one-off admin process that brings the order database schema up to date:
 * `pnpm --filter @storekeeper/order migrate` locally, `node dist/migrate.js` in the
 * image (compose, CI and the ECS migration task run the same file).
 */
import { fileURLToPath } from 'node:url';
import { runMigrations } from '@storekeeper/platform';
import { configSchema } from './config.ts';

await runMigrations({
  service: 'order',
  configSchema,
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
});
