import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { orderPlaced } from '@storekeeper/contracts';
import { createMessagingClients } from '@storekeeper/local-cloud';
import { createLogger, withTransaction } from '@storekeeper/platform';
import {
  createLogCapture,
  createTcpProxy,
  describeWithBackends,
  waitFor,
} from '@storekeeper/testing';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { createEventConsumer, type EventConsumer } from '../src/consumer/create-event-consumer.ts';
import { createHandlerSpy, type HandlerSpy } from '../src/consumer/handler-spy.ts';
import { createPostgresInbox } from '../src/consumer/postgres-inbox.ts';
import { createOutbox } from '../src/outbox/create-outbox.ts';
import { createOutboxRelay } from '../src/outbox/create-outbox-relay.ts';
import { createEventPublisher } from '../src/publisher/create-event-publisher.ts';
import { createMessagingFixture, type MessagingFixture } from './helpers/messaging-fixture.ts';
import { createEffectsTable, recordingHandlers } from './helpers/recording-handlers.ts';

describeWithBackends('outbox and relay', () => {
  let fixture: MessagingFixture;
  let spy: HandlerSpy;
  let consumer: EventConsumer;
  const outbox = createOutbox();

  beforeAll(async () => {
    fixture = await createMessagingFixture({
      database: true,
      settings: { waitTimeSeconds: 1, visibilityTimeoutSeconds: 10, heartbeatIntervalSeconds: 5 },
    });
    await createEffectsTable(fixture.pool);
    spy = createHandlerSpy();
    // The billing queue receives order.placed: it stands in for "SNS delivered it".
    consumer = createEventConsumer({
      consumer: 'billing',
      topology: fixture.provisioned.topology,
      queueUrl: fixture.provisioned.queues.billing.url,
      sqs: fixture.clients.sqs,
      handlers: recordingHandlers(),
      inbox: createPostgresInbox(fixture.pool),
      logger: fixture.logger,
      spy,
    });
    await consumer.start();
    return async () => {
      await consumer.stop();
      await fixture.close();
    };
  });

  beforeEach(async () => {
    await fixture.pool.query('TRUNCATE outbox');
  });

  const relay = (
    publisher = fixture.publisher,
    backoff = { initialMs: 100, maxMs: 500 },
    logger = fixture.logger,
  ) =>
    createOutboxRelay({
      pool: fixture.pool,
      publisher,
      logger,
      pollIntervalMs: 50,
      backoff,
      backlogReport: { everyMs: 100, behindAfterMs: 300 },
    });

  /** A publisher whose SNS is reached through a proxy the test can cut. */
  async function publisherBehindProxy() {
    const snsEndpoint = fixture.endpoints.sns ?? fixture.endpoints.default;
    const proxy = await createTcpProxy(snsEndpoint as string);
    const clients = createMessagingClients({
      region: fixture.region,
      endpoints: { sns: proxy.url(snsEndpoint as string).replace(/\/$/, '') },
      credentials: fixture.credentials,
    });
    const publisher = createEventPublisher({
      sns: clients.sns,
      topology: fixture.provisioned.topology,
      topicArns: { order: fixture.provisioned.topics.order?.arn as string },
    });
    return { proxy, publisher, clients };
  }

  const pending = async () => {
    const { rows } = await fixture.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    return rows[0]?.n ?? 0;
  };

  it('publishes what a committed transaction wrote, and nothing of a rolled-back one', async () => {
    const rolledBack = withTransaction(fixture.pool, async (tx) => {
      await outbox.add(tx, 'order.placed', orderPlaced.example);
      throw new Error('the order could not be stored');
    });
    await expect(rolledBack).rejects.toThrow('could not be stored');
    const committed = await withTransaction(fixture.pool, (tx) =>
      outbox.add(tx, 'order.placed', orderPlaced.example),
    );

    const round = await relay().relayOnce();
    expect(round).toEqual({ published: 1, failed: 0, unavailable: false });
    await spy.waitFor({ id: committed.id, outcome: 'handled' });
    const { rows } = await fixture.pool.query('SELECT event_id FROM outbox');
    expect(rows).toEqual([{ event_id: committed.id }]);
  });

  it('wakes at the commit, long before its poll, and again after losing its listener', async () => {
    // A poll of a minute: only the commit notification can explain a prompt publish.
    const sleepy = createOutboxRelay({
      pool: fixture.pool,
      publisher: fixture.publisher,
      logger: fixture.logger,
      pollIntervalMs: 60_000,
    });
    sleepy.start();
    try {
      const listening = () =>
        fixture.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND query = 'LISTEN storekeeper_outbox'`,
        );
      await waitFor(async () => (await listening()).rows.length === 1, {
        timeout: 5_000,
        description: 'the relay listening',
      });
      const first = await withTransaction(fixture.pool, (tx) =>
        outbox.add(tx, 'order.placed', orderPlaced.example),
      );
      await spy.waitFor({ id: first.id, outcome: 'handled' }, { timeoutMs: 10_000 });

      // A database restart ends the listening connection; the relay opens another.
      const [{ pid } = { pid: 0 }] = (await listening()).rows;
      await fixture.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await waitFor(
        async () => {
          const now = (await listening()).rows;
          return now.length === 1 && now[0]?.pid !== pid;
        },
        { timeout: 10_000, description: 'a new listening connection' },
      );
      const second = await withTransaction(fixture.pool, (tx) =>
        outbox.add(tx, 'order.placed', orderPlaced.example),
      );
      await spy.waitFor({ id: second.id, outcome: 'handled' }, { timeoutMs: 10_000 });
    } finally {
      await sleepy.stop();
    }
    expect(await pending()).toBe(0);
  });

  it('opens a listening connection that keeps being cut again with backoff, warning once', async () => {
    const capture = createLogCapture();
    const cutOff = createOutboxRelay({
      pool: fixture.pool,
      publisher: fixture.publisher,
      logger: createLogger({ service: 'order', destination: capture.stream }),
      pollIntervalMs: 60_000,
    });
    cutOff.start();
    const seen = new Set<number>();
    try {
      // Every listening connection is cut as soon as it shows, for 4 s.
      const until = Date.now() + 4_000;
      while (Date.now() < until) {
        const { rows } = await fixture.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND query = 'LISTEN storekeeper_outbox'`,
        );
        for (const { pid } of rows) {
          seen.add(pid);
          await fixture.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await cutOff.stop();
    }
    // Waits of 0.25–0.5 s, 0.5–1 s, 1–2 s, 2–4 s: at most five connections in 4 s.
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(seen.size).toBeLessThanOrEqual(5);
    const warnings = capture.records().filter((r) => r.msg?.startsWith('outbox listener'));
    expect(warnings).toHaveLength(1);
  });

  it('deletes published rows past the retention in batches, and nothing else', async () => {
    await fixture.pool.query(
      `INSERT INTO outbox (event_id, event_type, event, published_at)
       SELECT 'old-' || n, 'order.placed', '{}'::jsonb, now() - interval '2 days'
         FROM generate_series(1, 12000) AS n`,
    );
    await fixture.pool.query(
      `INSERT INTO outbox (event_id, event_type, event, published_at)
       VALUES ('recent', 'order.placed', '{}'::jsonb, now() - interval '10 seconds')`,
    );
    const fresh = await withTransaction(fixture.pool, (tx) =>
      outbox.add(tx, 'order.placed', orderPlaced.example),
    );
    const capture = createLogCapture();
    const keeper = createOutboxRelay({
      pool: fixture.pool,
      publisher: fixture.publisher,
      logger: createLogger({ service: 'order', level: 'debug', destination: capture.stream }),
      pollIntervalMs: 50,
      retentionMs: 60_000,
    });
    keeper.start();
    try {
      await spy.waitFor({ id: fresh.id, outcome: 'handled' }, { timeoutMs: 10_000 });
      await waitFor(
        async () => {
          const { rows } = await fixture.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM outbox WHERE event_id LIKE 'old-%'`,
          );
          return rows[0]?.n === 0;
        },
        { description: 'the old published rows to be deleted', timeout: 20_000 },
      );
    } finally {
      await keeper.stop();
    }
    const deleted = capture
      .records()
      .filter((r) => r.msg === 'deleted published outbox rows')
      .map((r) => r.deleted);
    expect(deleted).toEqual([5_000, 5_000, 2_000]);
    const { rows } = await fixture.pool.query<{ event_id: string }>(
      'SELECT event_id FROM outbox ORDER BY event_id',
    );
    expect(rows.map((r) => r.event_id).sort()).toEqual([fresh.id, 'recent'].sort());
  });

  it('carries the writer’s trace header through the outbox, SNS and SQS to the consumer', async () => {
    const traceHeader =
      'Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=1';
    const traced = createOutbox({ traceHeader: () => traceHeader });
    const event = await withTransaction(fixture.pool, (tx) =>
      traced.add(tx, 'order.placed', orderPlaced.example),
    );
    await relay().relayOnce();
    const record = await spy.waitFor({ id: event.id, outcome: 'handled' });
    expect(record.traceHeader).toBe(traceHeader);
  });

  it('refuses an event that breaks its schema inside the transaction, naming the field', async () => {
    const attempt = withTransaction(fixture.pool, (tx) =>
      outbox.add(tx, 'order.placed', { ...orderPlaced.example, totalCents: -1 }),
    );
    await expect(attempt).rejects.toThrow(/data\.totalCents/);
    expect(await pending()).toBe(0);
  });

  it('delivers the event of a process killed between commit and publish', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@storekeeper/source',
        fileURLToPath(new URL('./fixtures/commit-then-die.ts', import.meta.url)),
        fixture.databaseUrl,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (code, sig) => resolve([code, sig])),
    );
    expect(signal).toBe('SIGKILL');
    const eventId = output.trim();
    expect(await pending()).toBe(1);

    const survivor = relay();
    survivor.start();
    try {
      await spy.waitFor({ id: eventId, outcome: 'handled' });
    } finally {
      await survivor.stop();
    }
    expect(await pending()).toBe(0);
  });

  it('publishes each event once with several relays running', async () => {
    const ids = await withTransaction(fixture.pool, async (tx) => {
      const written: string[] = [];
      for (let i = 0; i < 120; i++) {
        written.push((await outbox.add(tx, 'order.placed', orderPlaced.example)).id);
      }
      return written;
    });
    const relays = [relay(), relay(), relay()];
    for (const r of relays) r.start();
    try {
      await waitFor(async () => (await pending()) === 0, {
        description: 'the outbox to drain',
        timeout: 20_000,
      });
      for (const id of ids) await spy.waitFor({ id, outcome: 'handled' });
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
    const { rows } = await fixture.pool.query<{ attempts: number; n: number }>(
      'SELECT attempts, count(*)::int AS n FROM outbox GROUP BY attempts',
    );
    expect(rows).toEqual([{ attempts: 1, n: 120 }]);
    // Never published twice: no copy reached the consumer as a duplicate.
    for (const id of ids) expect(spy.count({ id })).toBe(1);
  });

  it('keeps accepting writes while SNS is unreachable and drains the outbox once it is back', async () => {
    const { proxy, publisher, clients } = await publisherBehindProxy();
    const capture = createLogCapture();
    const flaky = relay(
      publisher,
      undefined,
      createLogger({ service: 'order', destination: capture.stream }),
    );
    try {
      await proxy.cut();
      flaky.start();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const event = await withTransaction(fixture.pool, (tx) =>
          outbox.add(tx, 'order.placed', orderPlaced.example),
        );
        ids.push(event.id);
      }
      // The relay has tried and failed; nothing went out, everything is still pending.
      await waitFor(
        async () => {
          const { rows } = await fixture.pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM outbox WHERE attempts > 0 AND last_error IS NOT NULL',
          );
          return (rows[0]?.n ?? 0) > 0;
        },
        { description: 'a failed publish attempt to be recorded', timeout: 30_000 },
      );
      expect(await pending()).toBe(10);
      expect(ids.some((id) => spy.count({ id }) > 0)).toBe(false);
      // What the outbox-backlog alarm is built on (a metric filter on these two fields).
      const behind = await capture.waitForRecord(
        (r) => r.msg === 'outbox is behind' && r.outboxBacklog === 10,
        { description: 'the relay to report its backlog', timeout: 10_000 },
      );
      expect(behind.outboxOldestAgeSeconds).toBeGreaterThanOrEqual(0.3);
      expect(behind).toMatchObject({ service: 'order', component: 'outbox-relay' });

      await proxy.restore();
      for (const id of ids) await spy.waitFor({ id, outcome: 'handled' }, { timeoutMs: 20_000 });
      expect(await pending()).toBe(0);
    } finally {
      await flaky.stop();
      clients.destroy();
      await proxy.close();
    }
  });

  it('keeps its backoff while SNS is unreachable, however often writers commit', async () => {
    const { proxy, publisher, clients } = await publisherBehindProxy();
    const capture = createLogCapture();
    // Waits of 0.5–1 s, 1–2 s, 2–4 s after the first failures; every commit notifies.
    const flaky = relay(
      publisher,
      { initialMs: 1_000, maxMs: 30_000 },
      createLogger({ service: 'order', level: 'debug', destination: capture.stream }),
    );
    const failedRounds = () =>
      capture.records().filter((r) => r.msg === 'outbox relay round failed');
    const write = async () => {
      const event = await withTransaction(fixture.pool, (tx) =>
        outbox.add(tx, 'order.placed', orderPlaced.example),
      );
      return event.id;
    };
    try {
      await proxy.cut();
      const ids = [await write()];
      flaky.start();
      await waitFor(() => failedRounds().length > 0, { description: 'a first failed round' });
      // A commit every 50 ms for 3 s: each one wakes a listening relay.
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        ids.push(await write());
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The rounds kept to the backoff: at most four in those 3 s (one per commit without it).
      expect(ids.length).toBeGreaterThan(30);
      expect(failedRounds().length).toBeLessThanOrEqual(4);
      expect(failedRounds().map((r) => r.failures)).toEqual(failedRounds().map((_, i) => i + 1));

      await proxy.restore();
      for (const id of ids) await spy.waitFor({ id, outcome: 'handled' }, { timeoutMs: 30_000 });
      expect(await pending()).toBe(0);
    } finally {
      await flaky.stop();
      clients.destroy();
      await proxy.close();
    }
  });
});
