import type pg from 'pg';
import type { Logger } from 'pino';
import type { ReadinessCheck } from './health.ts';
import { tracing } from './tracing/tracing.ts';

export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;

export interface PostgresPoolOptions {
  readonly connectionString: string;
  readonly applicationName: string;
  readonly logger: Logger;
  readonly max?: number;
  /** Upper bound for one statement; a stuck query must not hold a connection forever. */
  readonly statementTimeoutMs?: number;
}

/**
 * A connection pool with bounded waits everywhere: connecting, acquiring, and each
 * statement. Errors on idle clients (the server went away) are logged, not thrown,
 * so the process survives a database restart and readiness reports the outage.
 *
 * Async because the `pg` driver is imported on first use: a service without PostgreSQL
 * (the gateway, the email service) never loads it, though the kit's index exports this,
 * and a service's bundle keeps it in a chunk of its own (docs/adr/0050).
 */
export async function createPostgresPool(options: PostgresPoolOptions): Promise<PostgresPool> {
  const { Pool } = await importPg();
  const pool = new Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.max ?? 10,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    query_timeout: (options.statementTimeoutMs ?? 10_000) + 1_000,
  });
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle PostgreSQL client failed'));
  // Statements run inside traced work become subsegments (a no-op with tracing off):
  // `pool.query` as the caller makes it (the pool then runs it on a client in a callback,
  // which the wrapper leaves alone), and each client's own `query`, as transactions use it.
  const target = postgresTarget(options.connectionString);
  tracing().instrumentPostgres(pool, target);
  pool.on('connect', (client) => tracing().instrumentPostgres(client, target));
  return pool;
}

/** Database, host and user of a connection string; never its password. */
function postgresTarget(connectionString: string) {
  try {
    const url = new URL(connectionString);
    return {
      database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
      host: url.host,
      user: decodeURIComponent(url.username),
    };
  } catch {
    // A keyword/value string ("host=… dbname=…"): pg reads it; traces say less.
    return { database: 'postgres', host: 'unknown', user: 'unknown' };
  }
}

export function postgresReadinessCheck(pool: PostgresPool): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      await pool.query('SELECT 1');
    },
  };
}

/** Runs `fn` in a transaction on one client: commit when it resolves, roll back when it throws. */
export async function withTransaction<T>(
  pool: PostgresPool,
  fn: (client: PostgresClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface MigrateOptions {
  readonly databaseUrl: string;
  /** Folder of `NNNN_name.sql` files with `-- Up Migration` / `-- Down Migration` parts. */
  readonly dir: string;
  readonly logger: Logger;
}

/**
 * Applies pending migrations in order, each in its own transaction, under an advisory
 * lock so concurrent runs (two deploys at once) wait instead of racing.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  // Loaded here, not at start-up: only the migrate command and tests run migrations.
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    databaseUrl: options.databaseUrl,
    dir: options.dir,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    count: Number.POSITIVE_INFINITY,
    checkOrder: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: () => undefined,
      info: (message: string) => options.logger.debug(message),
      warn: (message: string) => options.logger.warn(message),
      error: (message: string) => options.logger.error(message),
    },
  });
  return applied.map((migration) => migration.name);
}

/** The `pg` driver (CommonJS: its exports are the default export). */
export async function importPg(): Promise<typeof pg> {
  return (await import('pg')).default;
}
