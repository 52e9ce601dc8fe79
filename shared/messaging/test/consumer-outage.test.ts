import { orderPlaced } from '@storekeeper/contracts';
import { createMessagingClients } from '@storekeeper/local-cloud';
import { createLogger } from '@storekeeper/platform';
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
