import { type TObject, Type } from 'typebox';
import { ConfigError, loadConfig } from './config.ts';
import { createServiceDatabase } from './create-service-database.ts';
import { createLogger } from './logger.ts';
import { migrate } from './postgres.ts';

export interface RunMigrationsOptions {
  readonly service: string;
  /** The service's config schema; only DATABASE_URL and the logging/SSM settings are read. */
  readonly configSchema: TObject;
  readonly dir: string;
}

/**
 * The body of every service's `migrate` command: read DATABASE_URL (environment or
 * SSM), apply pending migrations, log what was applied, exit non-zero on failure.
 * `migrate --create-database` instead makes the service's role, database and DATABASE_URL
 * parameter on a shared server (the one-off task on AWS; see createServiceDatabase).
 */
export async function runMigrations(options: RunMigrationsOptions): Promise<void> {
  if (process.argv.includes('--create-database')) {
    await runCreateDatabase(options.service);
    return;
  }
  const schema = Type.Pick(options.configSchema, [
    'DATABASE_URL',
    'LOG_LEVEL',
    'AWS_REGION',
    'SSM_PARAMETER_PATH',
  ]) as TObject;
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig(schema);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : (error as Error).message;
    process.stderr.write(`${options.service} migrate: cannot start. ${message}\n`);
    process.exitCode = 1;
    return;
  }
  const config = loaded.config as { DATABASE_URL: string; LOG_LEVEL: string };
  const logger = createLogger({
    service: `${options.service}-migrate`,
    level: config.LOG_LEVEL,
    secrets: loaded.secrets,
  });
  try {
    const applied = await migrate({ databaseUrl: config.DATABASE_URL, dir: options.dir, logger });
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema is up to date');
  } catch (error) {
    logger.error({ err: error }, 'migration failed');
    process.exitCode = 1;
  } finally {
    logger.flush();
  }
}

async function runCreateDatabase(service: string): Promise<void> {
  const logger = createLogger({
    service: `${service}-create-database`,
    level: process.env.LOG_LEVEL ?? 'info',
    secrets: [process.env.PGPASSWORD ?? ''].filter(Boolean),
  });
  try {
    await createServiceDatabase({ env: process.env, logger });
  } catch (error) {
    logger.error({ err: error }, 'creating the service database failed');
    process.exitCode = 1;
  } finally {
    logger.flush();
  }
}
