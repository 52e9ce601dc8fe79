import { setTimeout as delay } from 'node:timers/promises';
import { orderPlaced, resolveTopology } from '@storekeeper/contracts';
import { describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createEventConsumer } from '../src/consumer/create-event-consumer.ts';
import { createHandlerSpy, type HandlerSpy } from '../src/consumer/handler-spy.ts';
import { createPostgresInbox } from '../src/consumer/postgres-inbox.ts';
import { createEvent } from '../src/create-event.ts';
import { createMessagingFixture, type MessagingFixture } from './helpers/messaging-fixture.ts';
import { queueDepth } from './helpers/queue-messages.ts';
import { createEffectsTable, effectsOf, recordingHandlers } from './helpers/recording-handlers.ts';

describeWithBackends('consumer: slow handlers and stopping', () => {
  let fixture: MessagingFixture;
  const visibilityTimeoutSeconds = 2;
  // The handler's duration is the scenario under test: well past the visibility timeout.
  const handlerMs = visibilityTimeoutSeconds * 1000 * 2.5;

  beforeAll(async () => {
    fixture = await createMessagingFixture({
      database: true,
      settings: { visibilityTimeoutSeconds, heartbeatIntervalSeconds: 1, waitTimeSeconds: 1 },
    });
    await createEffectsTable(fixture.pool);
    return () => fixture.close();
  });

  function slowConsumer(spy: HandlerSpy, started: Set<string>, finished: Set<string>) {
    return createEventConsumer({
      consumer: 'billing',
      topology: fixture.provisioned.topology,
      queueUrl: fixture.provisioned.queues.billing.url,
      sqs: fixture.clients.sqs,
      handlers: recordingHandlers({
        before: async (id) => {
          started.add(id);
          await delay(handlerMs);
          finished.add(id);
        },
      }),
      inbox: createPostgresInbox(fixture.pool),
      logger: fixture.logger,
      spy,
    });
  }

  it('keeps a message slower than the visibility timeout from being redelivered', async () => {
    const spy = createHandlerSpy();
    const started = new Set<string>();
    const finished = new Set<string>();
    // Two replicas on one queue: without the heartbeat the idle one would receive the
    // message again once its visibility timeout ran out.
    const replicas = [slowConsumer(spy, started, finished), slowConsumer(spy, started, finished)];
    await Promise.all(replicas.map((r) => r.start()));
    const event = createEvent('order.placed', orderPlaced.example);
    try {
      await fixture.publisher.publish(event);
      const record = await spy.waitFor({ id: event.id }, { timeoutMs: handlerMs + 10_000 });
      expect(record.outcome).toBe('handled');
      expect(record.receiveCount).toBe(1);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
    expect(spy.count({ id: event.id })).toBe(1);
    expect(await effectsOf(fixture.pool, event.id)).toBe(1);
    expect(await queueDepth(fixture.clients.sqs, fixture.provisioned.queues.billing.url)).toBe(0);
  });

  it('waits for the message in flight to finish when stopped', async () => {
    const spy = createHandlerSpy();
    const started = new Set<string>();
    const finished = new Set<string>();
    const consumer = slowConsumer(spy, started, finished);
    await consumer.start();
    const event = createEvent('order.placed', orderPlaced.example);
    await fixture.publisher.publish(event);
    await waitFor(() => started.has(event.id), {
      description: 'the handler to start',
      timeout: 10_000,
    });

    await consumer.stop({ timeoutMs: handlerMs + 5_000 });

    expect(finished.has(event.id)).toBe(true);
    expect(consumer.inFlight).toBe(0);
    expect(spy.count({ id: event.id, outcome: 'handled' })).toBe(1);
    expect(await effectsOf(fixture.pool, event.id)).toBe(1);
    // Handled and deleted before stop() returned: nothing left to redeliver.
    expect(await queueDepth(fixture.clients.sqs, fixture.provisioned.queues.billing.url)).toBe(0);
  });

  it('is ready while its queue answers, and not when the queue is missing', async () => {
    const consumer = slowConsumer(createHandlerSpy(), new Set(), new Set());
    await expect(consumer.readiness.check(AbortSignal.timeout(5_000))).resolves.toBeUndefined();
    const missing = createEventConsumer({
      consumer: 'billing',
      topology: resolveTopology({ suffix: '-does-not-exist' }),
      sqs: fixture.clients.sqs,
      handlers: recordingHandlers(),
      inbox: createPostgresInbox(fixture.pool),
      logger: fixture.logger,
    });
    await expect(missing.readiness.check(AbortSignal.timeout(5_000))).rejects.toThrow();
  });

  it('stops at once when idle, cutting the long poll short', async () => {
    const consumer = slowConsumer(createHandlerSpy(), new Set(), new Set());
    await consumer.start();
    const began = performance.now();
    await consumer.stop();
    expect(performance.now() - began).toBeLessThan(900);
  });
});
