import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { CloudEvent } from '@storekeeper/contracts';
import { createPostgresInbox } from '@storekeeper/messaging';
import {
  createLifecycle,
  createLogger,
  createPostgresPool,
  createServiceClient,
  createTokenVerifier,
  loadConfig,
  migrate,
  type PostgresPool,
  type ServiceApp,
  type ServiceClient,
  type ServiceClientOptions,
} from '@storekeeper/platform';
import { createTestDatabase, type TestDatabase } from '@storekeeper/testing';
import type { LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { buildApp } from '../src/app.ts';
import { type Config, configSchema } from '../src/config.ts';
import { orderHandlers } from '../src/handlers/index.ts';
import { createPostgresOrderService } from '../src/postgres-order-service.ts';
import { startUserServiceStub, type UserServiceStub } from './user-service-stub.ts';

export const logger = createLogger({ service: 'order-test', level: 'silent' });
export const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

export interface OrderTestDatabase {
  readonly db: TestDatabase;
  readonly pool: PostgresPool;
  close(): Promise<void>;
}

/** A fresh database with the order service's migrations applied. */
export async function createOrderTestDatabase(): Promise<OrderTestDatabase> {
  const db = await createTestDatabase('order');
  await migrate({ databaseUrl: db.url, dir: migrations, logger });
  const pool = await createPostgresPool({
    connectionString: db.url,
    applicationName: 'order-test',
    logger,
  });
  return {
    db,
    pool,
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}

export interface OrderTestApp extends OrderTestDatabase {
  readonly app: ServiceApp;
  readonly config: Config;
  /** The user service's internal route, on a real HTTP server. */
  readonly users: UserServiceStub;
  /** The order service's client of it. */
  readonly userService: ServiceClient;
  /** Moves the order service's clock (idempotency key expiry). */
  readonly clock: { shiftMs: number };
  signToken(userId: string): Promise<string>;
  /** POST /orders as `userId` with the key and body given. */
  placeOrder(userId: string, body: unknown, key?: string): Promise<LightMyRequestResponse>;
  /** GET `url` as `userId`. */
  get(userId: string, url: string): Promise<LightMyRequestResponse>;
  /** Delivers an event the way the consumer does: through the inbox, in one transaction. */
  deliver(event: CloudEvent): Promise<'processed' | 'duplicate'>;
}

/** The order service on a fresh database, calling a user service stub, with a token key. */
export async function buildOrderTestApp(
  options: { breaker?: ServiceClientOptions['breaker'] } = {},
): Promise<OrderTestApp> {
  const database = await createOrderTestDatabase();
  const users = await startUserServiceStub();
  const { config } = await loadConfig(configSchema, {
    env: { DATABASE_URL: database.db.url, USER_SERVICE_URL: users.url },
  });
  const keys = await generateKeyPair('ES256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256' }] };
  const signToken = (userId: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject(userId)
      .setIssuer(config.JWT_ISSUER)
      .setAudience(config.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(keys.privateKey);
  const tokens = createTokenVerifier({
    keySet: createLocalJWKSet(jwks),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const userService = createServiceClient({
    name: 'user',
    baseUrl: config.USER_SERVICE_URL,
    logger,
    timeoutMs: 2_000,
    ...(options.breaker ? { breaker: options.breaker } : {}),
  });
  const clock = { shiftMs: 0 };
  const now = () => new Date(Date.now() + clock.shiftMs);
  const { pool } = database;
  const app = await buildApp({
    config,
    logger,
    lifecycle: createLifecycle(),
    pool,
    tokens,
    userService,
    now,
  });

  const handlers = orderHandlers(
    createPostgresOrderService({ pool, userService, keyTtlHours: 24, now }),
  ) as unknown as Record<string, (event: unknown, context: unknown) => Promise<void>>;
  const inbox = createPostgresInbox(pool);

  return {
    ...database,
    app,
    config,
    users,
    userService,
    clock,
    signToken,
    async placeOrder(userId, body, key = randomUUID()) {
      return app.inject({
        method: 'POST',
        url: '/orders',
        headers: { authorization: `Bearer ${await signToken(userId)}`, 'idempotency-key': key },
        payload: body as Record<string, unknown>,
      });
    },
    async get(userId, url) {
      return app.inject({ url, headers: { authorization: `Bearer ${await signToken(userId)}` } });
    },
    deliver(event) {
      const handler = handlers[event.type];
      if (!handler) throw new Error(`order has no handler for ${event.type}`);
      return inbox.runOnce(event, (tx) =>
        handler(event, { tx, logger, receiveCount: 1, traceHeader: undefined }),
      );
    },
    async close() {
      await app.close();
      await userService.close();
      await users.stop();
      await database.close();
    },
  };
}

/** A body of POST /orders. */
export const orderOf = (...items: [sku: string, quantity: number][]) => ({
  items: items.map(([sku, quantity]) => ({ sku, quantity })),
});

export async function countRows(pool: PostgresPool, sql: string, params: unknown[] = []) {
  const { rows } = await pool.query<{ count: string }>(sql, params);
  return Number(rows[0]?.count ?? 0);
}

/** The messages the order service put in its outbox about an order, oldest first. */
export async function outboxOf(pool: PostgresPool, orderId: string) {
  const { rows } = await pool.query<{
    event_type: string;
    event: { data: Record<string, unknown> };
  }>(`SELECT event_type, event FROM outbox WHERE event->'data'->>'orderId' = $1 ORDER BY id`, [
    orderId,
  ]);
  return rows.map((row) => ({ type: row.event_type, data: row.event.data }));
}
