import { fileURLToPath } from 'node:url';
import {
  createLifecycle,
  createLogger,
  createPostgresPool,
  createServiceClient,
  loadConfig,
  migrate,
  type PostgresPool,
  type ServiceApp,
  tokenVerifierFromConfig,
} from '@storekeeper/platform';
import {
  createTcpProxy,
  createTestDatabase,
  describeWithBackends,
  type TcpProxy,
  type TestDatabase,
  waitFor,
} from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';

const migrations = fileURLToPath(new URL('../migrations', import.meta.url));
const logger = createLogger({ service: 'order-test', level: 'silent' });

describeWithBackends('order service', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let pool: PostgresPool;
  let app: ServiceApp;

  beforeAll(async () => {
    db = await createTestDatabase('order');
    await migrate({ databaseUrl: db.url, dir: migrations, logger });
    // The service reaches its database through a proxy the test can cut.
    proxy = await createTcpProxy(db.url);
    pool = await createPostgresPool({
      connectionString: proxy.url(db.url),
      applicationName: 'order-test',
      logger,
    });
    const { config } = await loadConfig(configSchema, {
      // Never called here: readiness does not depend on the user service.
      env: { DATABASE_URL: proxy.url(db.url), USER_SERVICE_URL: 'http://127.0.0.1:9' },
    });
    const userService = createServiceClient({
      name: 'user',
      baseUrl: config.USER_SERVICE_URL,
      logger,
    });
    app = await buildApp({
      config,
      logger,
      lifecycle: createLifecycle(),
      pool,
      tokens: tokenVerifierFromConfig(config),
      userService,
    });
    return async () => {
      await app.close();
      await userService.close();
      await pool.end();
      await proxy.close();
      await db.drop();
    };
  });

  it('applies its migrations to its own database', async () => {
    const { rows } = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'idempotency_keys',
        'inbox',
        'order_events',
        'orders',
        'outbox',
        'products',
        'schema_migrations',
      ]),
    );
    // Running them again is a no-op.
    await expect(migrate({ databaseUrl: db.url, dir: migrations, logger })).resolves.toEqual([]);
  });

  it('turns not ready while its database is unreachable and ready again when it returns, without a restart', async () => {
    expect((await app.inject('/health/ready')).statusCode).toBe(200);

    await proxy.cut();
    const down = await app.inject('/health/ready');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'not-ready',
      checks: { database: expect.stringMatching(/^failed/) },
    });
    expect((await app.inject('/health/live')).statusCode).toBe(200);

    await proxy.restore();
    await waitFor(async () => (await app.inject('/health/ready')).statusCode === 200, {
      timeout: 10_000,
      description: 'readiness back to 200 after the database returned',
    });
  });
});
