import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { CloudEvent } from '@storekeeper/contracts';
import { createEvent, createOutbox, createPostgresInbox } from '@storekeeper/messaging';
import {
  createLifecycle,
  createLogger,
  createPostgresPool,
  createTokenVerifier,
  loadConfig,
  migrate,
  type PostgresPool,
  type ServiceApp,
} from '@storekeeper/platform';
import {
  createTcpProxy,
  createTestDatabase,
  createTestTokens,
  type TcpProxy,
  type TestDatabase,
} from '@storekeeper/testing';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.ts';
import { type Config, configSchema } from '../src/config.ts';
import { billingHandlers } from '../src/handlers/index.ts';

export const logger = createLogger({ service: 'billing-test', level: 'silent' });
export const address = { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' };
/** Every test account opens with this credit; the amounts in the tests are chosen for it. */
const creditLimitCents = 10_000;

export interface BillingTestApp extends BillingTestDatabase {
  readonly app: ServiceApp;
  readonly config: Config;
  signToken(userId: string): Promise<string>;
  /** Delivers an event the way the consumer does: through the inbox, in one transaction. */
  deliver(event: CloudEvent): Promise<'processed' | 'duplicate'>;
  /** Opens an account for a new user (user.signed-up) and returns the user's id. */
  openAccount(): Promise<string>;
  /** GET /billing/account as `userId`. */
  getAccount(userId: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface BillingTestDatabase {
  readonly db: TestDatabase;
  /** In front of the database, so a test can cut it off. */
  readonly proxy: TcpProxy;
  /** Reaches the database through `proxy`. */
  readonly pool: PostgresPool;
  close(): Promise<void>;
}

/** A fresh database with billing's migrations applied. */
export async function createBillingTestDatabase(): Promise<BillingTestDatabase> {
  const db = await createTestDatabase('billing');
  await migrate({
    databaseUrl: db.url,
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
    logger,
  });
  const proxy = await createTcpProxy(db.url);
  const pool = await createPostgresPool({
    connectionString: proxy.url(db.url),
    applicationName: 'billing-test',
    logger,
  });
  return {
    db,
    proxy,
    pool,
    async close() {
      await pool.end();
      await proxy.close();
      await db.drop();
    },
  };
}

/** The billing service on a fresh database, with a key to sign callers' tokens. */
export async function buildBillingTestApp(): Promise<BillingTestApp> {
  const database = await createBillingTestDatabase();
  const { db, proxy, pool } = database;
  const { config } = await loadConfig(configSchema, {
    env: {
      DATABASE_URL: proxy.url(db.url),
      DEFAULT_CREDIT_LIMIT_CENTS: String(creditLimitCents),
    },
  });
  const issuer = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
  const testTokens = await createTestTokens(issuer);
  const signToken = (userId: string) => testTokens.sign(userId);
  const tokens = createTokenVerifier({ keySet: testTokens.keySet, ...issuer });
  const app = await buildApp({ config, logger, lifecycle: createLifecycle(), pool, tokens });
  const handlers = billingHandlers(config, createOutbox()) as unknown as Record<
    string,
    (event: unknown, context: unknown) => Promise<void>
  >;
  const inbox = createPostgresInbox(pool);

  const deliver = (event: CloudEvent) => {
    const handler = handlers[event.type];
    if (!handler) throw new Error(`billing has no handler for ${event.type}`);
    return inbox.runOnce(event, (tx) =>
      handler(event, { tx, logger, receiveCount: 1, traceHeader: undefined }),
    );
  };

  return {
    app,
    pool,
    proxy,
    db,
    config,
    signToken,
    deliver,
    async openAccount() {
      const userId = randomUUID();
      await deliver(
        createEvent('user.signed-up', {
          userId,
          email: `${userId}@example.com`,
          name: 'Ada',
          billingAddress: address,
        }),
      );
      return userId;
    },
    async getAccount(userId) {
      return app.inject({
        url: '/billing/account',
        headers: { authorization: `Bearer ${await signToken(userId)}` },
      });
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** The payment events written to the outbox for an order. */
export async function paymentEvents(pool: PostgresPool, orderId: string) {
  const { rows } = await pool.query<{
    event_type: string;
    event: { data: Record<string, unknown> };
  }>(`SELECT event_type, event FROM outbox WHERE event->'data'->>'orderId' = $1 ORDER BY id`, [
    orderId,
  ]);
  return rows;
}

export async function availableCents(pool: PostgresPool, userId: string): Promise<number> {
  const { rows } = await pool.query<{ available_cents: string }>(
    'SELECT available_cents FROM billing_accounts WHERE user_id = $1',
    [userId],
  );
  return Number(rows[0]?.available_cents);
}
