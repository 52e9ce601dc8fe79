import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createOutbox } from '@storekeeper/messaging';
import {
  createLifecycle,
  createLogger,
  createPostgresPool,
  loadConfig,
  migrate,
  type PostgresPool,
  type ServiceApp,
} from '@storekeeper/platform';
import {
  createLogCapture,
  createTestDatabase,
  type LogCapture,
  type TestDatabase,
} from '@storekeeper/testing';
import { createPasswordHasher } from '../src/adapters/password-hasher.ts';
import { createTokenIssuer, type TokenIssuer } from '../src/adapters/token-issuer.ts';
import { buildApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';

export const signingKeyPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;

export interface UserTestApp {
  app: ServiceApp;
  pool: PostgresPool;
  db: TestDatabase;
  logs: LogCapture;
  tokenIssuer: TokenIssuer;
  clock: { now: Date };
  close(): Promise<void>;
}

/** The user service on a fresh, migrated database; the clock can be moved by the test. */
export async function buildUserTestApp(): Promise<UserTestApp> {
  const db = await createTestDatabase('user');
  const logs = createLogCapture();
  const privateKeyPem = signingKeyPem();
  const { config, secrets } = await loadConfig(configSchema, {
    env: { DATABASE_URL: db.url, JWT_PRIVATE_KEY: privateKeyPem, LOG_LEVEL: 'debug' },
  });
  const logger = createLogger({
    service: 'user',
    level: 'debug',
    secrets,
    destination: logs.stream,
  });
  await migrate({
    databaseUrl: db.url,
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
    logger,
  });
  const pool = await createPostgresPool({
    connectionString: db.url,
    applicationName: 'user-test',
    logger,
  });
  const tokenIssuer = await createTokenIssuer({
    privateKeyPem,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const clock = { now: new Date() };
  const app = await buildApp({
    config,
    logger,
    lifecycle: createLifecycle(),
    pool,
    tokenIssuer,
    outbox: createOutbox(),
    // Cheap hashing: these tests are about behaviour, the cost is tested on its own.
    passwords: createPasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
    now: () => clock.now,
  });
  return {
    app,
    pool,
    db,
    logs,
    tokenIssuer,
    clock,
    async close() {
      await app.close();
      await pool.end();
      await db.drop();
    },
  };
}

export const validSignUp = (email = `ada.${Math.random().toString(36).slice(2)}@example.com`) => ({
  email,
  password: 'purple monkey dishwasher',
  name: 'Ada Lovelace',
  billingAddress: {
    line1: '12 St James Sq',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  },
});

/** The verification token as the email service would receive it: from the outbox event. */
export async function verificationTokenFor(pool: PostgresPool, userId: string): Promise<string> {
  const { rows } = await pool.query<{ event: { data: { verificationToken: string } } }>(
    `SELECT event FROM outbox
      WHERE event_type = 'user.email-verification-requested' AND event->'data'->>'userId' = $1`,
    [userId],
  );
  const token = rows[0]?.event.data.verificationToken;
  if (!token) throw new Error(`no verification event for ${userId}`);
  return token;
}
