import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
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
  describeWithBackends,
  type TcpProxy,
  type TestDatabase,
  waitFor,
} from '@storekeeper/testing';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type Config, configSchema } from '../src/config.ts';
import { billingHandlers } from '../src/handlers/index.ts';

const logger = createLogger({ service: 'billing-test', level: 'silent' });
const address = { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' };

describeWithBackends('billing service', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let pool: PostgresPool;
  let app: ServiceApp;
  let config: Config;
  let signToken: (userId: string) => Promise<string>;

  beforeAll(async () => {
    db = await createTestDatabase('billing');
    await migrate({
      databaseUrl: db.url,
      dir: fileURLToPath(new URL('../migrations', import.meta.url)),
      logger,
    });
    proxy = await createTcpProxy(db.url);
    ({ config } = await loadConfig(configSchema, {
      env: { DATABASE_URL: proxy.url(db.url), DEFAULT_CREDIT_LIMIT_CENTS: '10000' },
    }));
    pool = createPostgresPool({
      connectionString: proxy.url(db.url),
      applicationName: 'billing-test',
      logger,
    });
    const keys = await generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256' }] };
    signToken = (userId) =>
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
    app = await buildApp({ config, logger, lifecycle: createLifecycle(), pool, tokens });
    return async () => {
      await app.close();
      await pool.end();
      await proxy.close();
      await db.drop();
    };
  });

  /** Delivers an event the way the consumer does: through the inbox, in one transaction. */
  async function deliver(event: ReturnType<typeof createEvent>) {
    const handlers = billingHandlers(config, createOutbox()) as Record<
      string,
      (e: unknown, c: unknown) => Promise<void>
    >;
    const handler = handlers[event.type];
    if (!handler) throw new Error(`billing has no handler for ${event.type}`);
    return createPostgresInbox(pool).runOnce(event, (tx) =>
      handler(event, { tx, logger, receiveCount: 1, traceHeader: undefined }),
    );
  }

  async function openAccount() {
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
  }

  describe('user.signed-up', () => {
    it('opens the account with the address and the default credit limit, once per event', async () => {
      const userId = randomUUID();
      const event = createEvent('user.signed-up', {
        userId,
        email: 'a@example.com',
        name: 'Ada',
        billingAddress: address,
      });
      expect(await deliver(event)).toBe('processed');
      expect(await deliver(event)).toBe('duplicate');
      const response = await app.inject({
        url: '/billing/account',
        headers: { authorization: `Bearer ${await signToken(userId)}` },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        userId,
        billingAddress: address,
        currency: 'EUR',
        creditLimitCents: 10_000,
        availableCents: 10_000,
        recentCharges: [],
      });
    });

    it('keeps one account even when a second event for the same user arrives', async () => {
      const userId = await openAccount();
      await deliver(
        createEvent('user.signed-up', {
          userId,
          email: 'b@example.com',
          name: 'B',
          billingAddress: address,
        }),
      );
      const { rows } = await pool.query(
        'SELECT count(*)::int AS n FROM billing_accounts WHERE user_id = $1',
        [userId],
      );
      expect(rows[0].n).toBe(1);
    });
  });

  describe('order.placed', () => {
    const placed = (userId: string, totalCents: number) =>
      createEvent('order.placed', {
        orderId: randomUUID(),
        userId,
        items: [{ sku: 'MUG-BLUE', quantity: 1, unitPriceCents: totalCents }],
        totalCents,
        currency: 'EUR',
      });

    async function paymentEvent(orderId: string) {
      const { rows } = await pool.query<{
        event_type: string;
        event: { data: Record<string, unknown> };
      }>(`SELECT event_type, event FROM outbox WHERE event->'data'->>'orderId' = $1`, [orderId]);
      return rows;
    }

    it('charges within the credit and publishes payment.succeeded with the charge', async () => {
      const userId = await openAccount();
      const event = placed(userId, 4_000);
      await deliver(event);
      const events = await paymentEvent(event.data.orderId);
      expect(events.map((e) => e.event_type)).toEqual(['payment.succeeded']);
      const account = (
        await app.inject({
          url: '/billing/account',
          headers: { authorization: `Bearer ${await signToken(userId)}` },
        })
      ).json();
      expect(account.availableCents).toBe(6_000);
      expect(account.recentCharges).toEqual([
        expect.objectContaining({
          orderId: event.data.orderId,
          amountCents: 4_000,
          currency: 'EUR',
        }),
      ]);
    });

    it('refuses an order over the available credit with INSUFFICIENT_CREDIT and charges nothing', async () => {
      const userId = await openAccount();
      const event = placed(userId, 10_001);
      await deliver(event);
      const events = await paymentEvent(event.data.orderId);
      expect(events.map((e) => [e.event_type, e.event.data.reason])).toEqual([
        ['payment.failed', 'INSUFFICIENT_CREDIT'],
      ]);
      const { rows } = await pool.query(
        'SELECT available_cents FROM billing_accounts WHERE user_id = $1',
        [userId],
      );
      expect(Number(rows[0].available_cents)).toBe(10_000);
    });

    it('charges a redelivered order once', async () => {
      const userId = await openAccount();
      const event = placed(userId, 1_000);
      await deliver(event);
      await deliver(event);
      const { rows } = await pool.query(
        'SELECT available_cents FROM billing_accounts WHERE user_id = $1',
        [userId],
      );
      expect(Number(rows[0].available_cents)).toBe(9_000);
      expect(await paymentEvent(event.data.orderId)).toHaveLength(1);
    });

    it('fails (to be retried) when the account is not open yet, leaving no trace', async () => {
      const event = placed(randomUUID(), 100);
      await expect(deliver(event)).rejects.toThrow(/no billing account/);
      expect(await paymentEvent(event.data.orderId)).toHaveLength(0);
    });
  });

  describe('routes', () => {
    it('answers 404 for a user without an account, 401 without a token', async () => {
      const none = await app.inject({
        url: '/billing/account',
        headers: { authorization: `Bearer ${await signToken(randomUUID())}` },
      });
      expect(none.statusCode).toBe(404);
      expect(none.json()).toMatchObject({ code: 'BILLING_ACCOUNT_NOT_FOUND' });
      expect((await app.inject({ url: '/billing/account' })).statusCode).toBe(401);
    });

    it('shows each caller only its own account', async () => {
      const alice = await openAccount();
      const bob = await openAccount();
      const seen = await app.inject({
        url: '/billing/account',
        headers: { authorization: `Bearer ${await signToken(bob)}` },
      });
      expect(seen.json().userId).toBe(bob);
      expect(seen.json().userId).not.toBe(alice);
    });
  });

  it('turns not ready while its database is unreachable and ready again when it returns', async () => {
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    await proxy.cut();
    expect((await app.inject('/health/ready')).statusCode).toBe(503);
    await proxy.restore();
    await waitFor(async () => (await app.inject('/health/ready')).statusCode === 200, {
      timeout: 10_000,
      description: 'readiness back to 200',
    });
  });
});
