import { orderPlaced } from '@storekeeper/contracts';
import { createMessagingClients } from '@storekeeper/local-cloud';
import { createLogger, createPostgresPool, postgresReadinessCheck } from '@storekeeper/platform';
import {
  createLogCapture,
  createTcpProxy,
  describeWithBackends,
  type LogRecord,
  waitFor,
} from '@storekeeper/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEventConsumer, receiveBackoffMs } from '../src/consumer/create-event-consumer.ts';
import { createHandlerSpy } from '../src/consumer/handler-spy.ts';
import { createPostgresInbox } from '../src/consumer/postgres-inbox.ts';
import { createEvent } from '../src/create-event.ts';
import { createMessagingFixture, type MessagingFixture } from './helpers/messaging-fixture.ts';
import { queueDepth } from './helpers/queue-messages.ts';
import { createEffectsTable, recordingHandlers } from './helpers/recording-handlers.ts';

describe('the wait after a failed receive', () => {
  it('doubles from 1 s to 20 s, each wait between half and all of its step', () => {
    const least = [1, 2, 3, 4, 5, 6, 7].map((n) => receiveBackoffMs(n, () => 0));
    const most = [1, 2, 3, 4, 5, 6, 7].map((n) => receiveBackoffMs(n, () => 1));
    expect(least).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(most).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000]);
    expect(receiveBackoffMs(1_000, () => 1)).toBe(20_000);
  });
});

describeWithBackends('consumer: SQS unreachable', () => {
  let fixture: MessagingFixture;

  beforeAll(async () => {
    fixture = await createMessagingFixture({
      database: true,
      settings: { waitTimeSeconds: 1, visibilityTimeoutSeconds: 10, heartbeatIntervalSeconds: 5 },
    });
    await createEffectsTable(fixture.pool);
    return () => fixture.close();
  });

  it('backs off while it cannot receive, without losing a message, and receives again once SQS is back', async () => {
    const endpoint = (fixture.endpoints.sqs ?? fixture.endpoints.default) as string;
    const proxy = await createTcpProxy(endpoint);
    const clients = createMessagingClients({
      region: fixture.region,
      endpoints: { sqs: proxy.url(endpoint).replace(/\/$/, '') },
      credentials: fixture.credentials,
    });
    const capture = createLogCapture();
    const spy = createHandlerSpy();
    const consumer = createEventConsumer({
      consumer: 'billing',
      topology: fixture.provisioned.topology,
      queueUrl: fixture.provisioned.queues.billing.url,
      sqs: clients.sqs,
      handlers: recordingHandlers(),
      inbox: createPostgresInbox(fixture.pool),
      logger: createLogger({ service: 'billing', destination: capture.stream }),
      spy,
    });
    const failures = () => capture.records().filter((r) => r.msg === 'SQS receive failed');
    try {
      await proxy.cut();
      await consumer.start();
      await waitFor(() => failures().length >= 4, {
        description: 'four failed receives',
        timeout: 30_000,
      });
      const [first, second, third, fourth] = failures() as [
        LogRecord,
        LogRecord,
        LogRecord,
        LogRecord,
      ];
      // Each failure sets a longer wait, and the receives keep to them (a wait holds from
      // the poll after the one that failed).
      expect([first, second, third, fourth].map((r) => r.failedReceives)).toEqual([1, 2, 3, 4]);
      const waits = [first, second, third].map((r) => r.nextReceiveInMs as number);
      expect(waits[0]).toBeGreaterThanOrEqual(500);
      expect(waits[1]).toBeGreaterThanOrEqual(waits[0] as number);
      expect(waits[2]).toBeGreaterThanOrEqual(waits[1] as number);
      const at = (r: LogRecord) => Date.parse(r.time as string);
      expect(at(third) - at(second)).toBeGreaterThanOrEqual((waits[0] as number) - 5);
      expect(at(fourth) - at(third)).toBeGreaterThanOrEqual((waits[1] as number) - 5);
      expect(first.err).toMatchObject({ message: expect.stringContaining('ECONNREFUSED') });

      // Published during the outage, handled once SQS answers again.
      const event = createEvent('order.placed', orderPlaced.example);
      await fixture.publisher.publish(event);
      await proxy.restore();
      const record = await spy.waitFor({ id: event.id }, { timeoutMs: 30_000 });
      expect(record.outcome).toBe('handled');
      const back = await capture.waitForRecord((r) => r.msg === 'SQS receives again', {
        description: 'the consumer to say it receives again',
      });
      expect(back.failedReceives).toBeGreaterThanOrEqual(4);
    } finally {
      await consumer.stop();
      clients.destroy();
      await proxy.close();
    }
  });
});

describeWithBackends('consumer: the handlers’ database away', () => {
  let fixture: MessagingFixture;

  beforeAll(async () => {
    fixture = await createMessagingFixture({
      database: true,
      // Two receives, a second apart: without the pause, the DLQ within ~3 s of an outage.
      settings: {
        maxReceiveCount: 2,
        retryBaseDelaySeconds: 1,
        retryMaxDelaySeconds: 1,
        waitTimeSeconds: 1,
        visibilityTimeoutSeconds: 10,
        heartbeatIntervalSeconds: 5,
      },
    });
    await createEffectsTable(fixture.pool);
    return () => fixture.close();
  });

  it('stops receiving while its store is down, so no message reaches the DLQ, and handles them once it is back', async () => {
    const proxy = await createTcpProxy(fixture.databaseUrl);
    const pool = await createPostgresPool({
      connectionString: proxy.url(fixture.databaseUrl),
      applicationName: 'consumer-outage-test',
      logger: fixture.logger,
    });
    const capture = createLogCapture();
    const spy = createHandlerSpy();
    const database = postgresReadinessCheck(pool);
    let storeChecks = 0;
    const queues = fixture.provisioned.queues.billing;
    const consumer = createEventConsumer({
      consumer: 'billing',
      topology: fixture.provisioned.topology,
      queueUrl: queues.url,
      sqs: fixture.clients.sqs,
      handlers: recordingHandlers(),
      inbox: createPostgresInbox(pool),
      logger: createLogger({ service: 'billing', destination: capture.stream }),
      spy,
      store: {
        name: database.name,
        check: (signal) => {
          storeChecks++;
          return database.check(signal);
        },
      },
    });
    const events = [1, 2, 3].map(() => createEvent('order.placed', orderPlaced.example));
    try {
      await consumer.start();
      await proxy.cut();
      for (const event of events) await fixture.publisher.publish(event);
      await capture.waitForRecord(
        (r) => r.msg === "the handlers' store is unavailable; receiving paused until it answers",
        { description: 'the consumer to pause', timeout: 15_000 },
      );
      // Three more checks take 3.5 s or more: the second receive, and the DLQ, would come sooner.
      const pausedAt = storeChecks;
      await waitFor(() => storeChecks >= pausedAt + 3, {
        description: 'three checks of the store while paused',
        timeout: 15_000,
      });
      expect(await queueDepth(fixture.clients.sqs, queues.deadLetterQueue.url)).toBe(0);
      expect(spy.records.every((r) => r.receiveCount === 1)).toBe(true);
      expect(spy.records.length).toBeGreaterThan(0);

      await proxy.restore();
      const failedFirst = new Set(spy.records.map((r) => r.event?.id));
      for (const event of events) {
        const record = await spy.waitFor(
          { id: event.id, outcome: 'handled' },
          { timeoutMs: 30_000 },
        );
        // A message that failed was received once more; one never received while paused, once.
        expect(record.receiveCount).toBe(failedFirst.has(event.id) ? 2 : 1);
      }
      expect(await queueDepth(fixture.clients.sqs, queues.deadLetterQueue.url)).toBe(0);
      await capture.waitForRecord((r) => r.msg === "the handlers' store answers; receiving again", {
        description: 'the consumer to say it receives again',
      });
    } finally {
      await consumer.stop();
      await pool.end();
      await proxy.close();
    }
  });
});
