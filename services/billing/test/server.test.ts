/**
 * The billing service as a process, started and stopped the way ECS does it, while
 * events flow: workers start only once the server listens, and SIGTERM stops the
 * consumer first, loses no message and leaves nothing committed unpublished.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import {
  awsEnv,
  createMessagingClients,
  type MessagingClients,
  messagingEndpoints,
  type ProvisionedTopology,
  provisionTopology,
} from '@storekeeper/local-cloud';
import { createEvent, createEventPublisher, type EventPublisher } from '@storekeeper/messaging';
import {
  createLogger,
  createPostgresPool,
  migrate,
  type PostgresPool,
} from '@storekeeper/platform';
import {
  createTestDatabase,
  requireBackends,
  type SpawnedService,
  spawnService,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@storekeeper/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const backends = requireBackends();
const logger = createLogger({ service: 'billing-test', level: 'silent' });
const running: SpawnedService[] = [];
let db: TestDatabase;
let pool: PostgresPool;
let messaging: MessagingClients;
let provisioned: ProvisionedTopology;
let publisher: EventPublisher;
let suffix: string;

beforeAll(async () => {
  const { aws } = backends.connection;
  db = await createTestDatabase('billing');
  await migrate({
    databaseUrl: db.url,
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
    logger,
  });
  pool = await createPostgresPool({
    connectionString: db.url,
    applicationName: 'billing-test',
    logger,
  });
  messaging = createMessagingClients({
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
    endpoints: messagingEndpoints(backends.connection),
  });
  suffix = uniqueName('-s', 12);
  provisioned = await provisionTopology({ clients: messaging, suffix });
  publisher = createEventPublisher({
    sns: messaging.sns,
    topology: provisioned.topology,
    topicArns: {
      user: provisioned.topics.user?.arn ?? '',
      order: provisioned.topics.order?.arn ?? '',
    },
  });
});

afterEach(() => {
  for (const service of running.splice(0)) service.kill();
});

afterAll(async () => {
  messaging?.destroy();
  await pool?.end();
  await db?.drop();
});

function startBilling(port: number): SpawnedService {
  const service = spawnService(serviceDir, {
    ...awsEnv(backends.connection),
    PORT: String(port),
    DATABASE_URL: db.url,
    TOPOLOGY_SUFFIX: suffix,
    // Never called here: no request carries a token.
    JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '20000',
  });
  running.push(service);
  return service;
}

async function publish(events: ReturnType<typeof createEvent>[]): Promise<void> {
  for (let i = 0; i < events.length; i += 10) {
    const result = await publisher.publishBatch(
      events.slice(i, i + 10).map((event) => ({ event })),
    );
    expect(result.failed).toEqual([]);
  }
}

async function queryCount(sql: string): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(sql);
  return Number(rows[0]?.count ?? 0);
}

async function queueDepth(): Promise<number> {
  const queueUrl = provisioned.queues.billing.url;
  const { Attributes = {} } = await messaging.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

function signedUp(userId: string) {
  return createEvent('user.signed-up', {
    userId,
    email: `${userId}@example.test`,
    name: 'Test User',
    billingAddress: { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' },
  });
}

function orderPlaced(userId: string) {
  return createEvent('order.placed', {
    orderId: crypto.randomUUID(),
    userId,
    items: [{ sku: 'MUG-BLUE', quantity: 1, unitPriceCents: 100 }],
    totalCents: 100,
    currency: 'EUR',
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the billing process', () => {
  it('exits 1 within seconds when its port is taken, having consumed nothing and closed everything', async () => {
    const userId = crypto.randomUUID();
    await publish([signedUp(userId)]);
    await waitFor(async () => (await queueDepth()) === 1, {
      timeout: 10_000,
      description: 'the event in billing’s queue',
    });

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const startedAt = Date.now();
      const service = startBilling((blocker.address() as AddressInfo).port);
      // It must end by itself: a consumer or relay left polling would keep it alive.
      const exit = await service.exited;
      expect(exit.code).toBe(1);
      expect(exit.at - startedAt).toBeLessThan(10_000);
      const failure = service.lines.find((l) => l.msg === 'failed to start');
      expect(JSON.stringify(failure)).toContain('EADDRINUSE');
      expect(service.lines.some((l) => l.msg === 'workers started')).toBe(false);
      const closed = service.lines.find((l) => l.msg === 'resources closed');
      expect(closed?.closed).toEqual(['postgres pool', 'aws clients']);
    } finally {
      blocker.close();
    }
    // Nothing was received: the event is still there, and no account was opened.
    expect(await queueDepth()).toBe(1);
    expect(await queryCount(`SELECT count(*) FROM billing_accounts`)).toBe(0);
  });

  it('on SIGTERM during steady traffic stops the consumer first, loses no message and publishes every committed event', async () => {
    const users = Array.from({ length: 10 }, () => crypto.randomUUID());
    const port = await freePort();
    const first = startBilling(port);
    await first.waitForLog((l) => l.msg === 'workers started');
    await publish(users.map(signedUp));
    await waitFor(async () => (await queryCount(`SELECT count(*) FROM billing_accounts`)) >= 11, {
      timeout: 20_000,
      description: 'every account opened (the first test’s user too)',
    });

    // Steady traffic: a batch of orders every 25 ms, before, during and after SIGTERM.
    const sent: string[] = [];
    let sending = true;
    const traffic = (async () => {
      while (sending) {
        const batch = users.slice(0, 3).map((userId) => orderPlaced(userId));
        await publish(batch);
        sent.push(...batch.map((event) => event.data.orderId));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    await waitFor(async () => (await queryCount(`SELECT count(*) FROM charges`)) >= 15, {
      timeout: 20_000,
      description: 'orders being charged',
    });
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    sending = false;
    await traffic;
    expect(exit.code).toBe(0);

    // The order of the shutdown: the intake workers (consumer, inbox sweeper), then the
    // relay's last pass, then the pool.
    const stops = first.lines
      .filter((l) => l.msg === 'worker stopped' || l.msg === 'resources closed')
      .map((l) => String(l.worker ?? l.msg));
    expect(stops.slice(0, 2).sort()).toEqual(['event consumer', 'inbox sweeper']);
    expect(stops.slice(2)).toEqual(['outbox relay', 'resources closed']);
    // Whatever the first process committed, it also published before it exited.
    expect(await queryCount(`SELECT count(*) FROM outbox WHERE published_at IS NULL`)).toBe(0);

    // Nothing was lost: what it had not taken is still queued, and a second process
    // charges every order exactly once.
    const second = startBilling(port);
    await second.waitForLog((l) => l.msg === 'workers started');
    // Bounded by the queue's visibility timeout (30 s) and a margin: a long poll cut short
    // at shutdown may already have taken a batch server-side, which SQS hands out again
    // only once that timeout ends. Late, never lost: that is what this test holds.
    await waitFor(async () => (await queryCount(`SELECT count(*) FROM charges`)) === sent.length, {
      timeout: 50_000,
      description: `all ${sent.length} orders charged`,
    });
    await waitFor(
      async () =>
        (await queryCount(`SELECT count(*) FROM outbox WHERE published_at IS NULL`)) === 0,
      { timeout: 10_000, description: 'every payment event published' },
    );
    expect(await queryCount(`SELECT count(DISTINCT order_id) FROM charges`)).toBe(sent.length);
    expect(await queryCount(`SELECT count(*) FROM outbox`)).toBe(sent.length);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 120_000);
});
