import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { orderPlaced } from '@storekeeper/contracts';
import { describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createEventConsumer, type EventConsumer } from '../src/consumer/create-event-consumer.ts';
import { createHandlerSpy } from '../src/consumer/handler-spy.ts';
import { createPostgresInbox } from '../src/consumer/postgres-inbox.ts';
import { createEvent } from '../src/create-event.ts';
import { createMessagingFixture, type MessagingFixture } from './helpers/messaging-fixture.ts';
import { createEffectsTable, effectsOf, recordingHandlers } from './helpers/recording-handlers.ts';

describeWithBackends('consumer: one effect per event, however often it arrives', () => {
  let fixture: MessagingFixture;
  const visibilityTimeoutSeconds = 2;

  beforeAll(async () => {
    fixture = await createMessagingFixture({
      database: true,
      settings: { visibilityTimeoutSeconds, heartbeatIntervalSeconds: 1, waitTimeSeconds: 1 },
    });
    await createEffectsTable(fixture.pool);
    return () => fixture.close();
  });

  function startConsumer(spy = createHandlerSpy(), handlers = recordingHandlers()) {
    const consumer = createEventConsumer({
      consumer: 'billing',
      topology: fixture.provisioned.topology,
      queueUrl: fixture.provisioned.queues.billing.url,
      sqs: fixture.clients.sqs,
      handlers,
      inbox: createPostgresInbox(fixture.pool),
      logger: fixture.logger,
      spy,
    });
    return { consumer, spy, handlers, started: consumer.start() };
  }

  it('takes effect once for a duplicate publish and a redelivery after the visibility timeout', async () => {
    const event = createEvent('order.placed', orderPlaced.example);
    const first = startConsumer();
    let consumer: EventConsumer = first.consumer;
    await first.started;
    try {
      // Delivery 1: handled.
      await fixture.publisher.publish(event);
      await first.spy.waitFor({ id: event.id, outcome: 'handled' });

      // Delivery 2: the producer published the same event again (a relay retry).
      await fixture.publisher.publish(event);
      await first.spy.waitFor({ id: event.id, outcome: 'duplicate' });
      await consumer.stop();

      // Delivery 3: a peer received it and died without deleting it; SQS hands it out
      // again once the visibility timeout has passed.
      await fixture.publisher.publish(event);
      const taken = await waitFor(
        async () => {
          const { Messages = [] } = await fixture.clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: fixture.provisioned.queues.billing.url,
              WaitTimeSeconds: 1,
              VisibilityTimeout: visibilityTimeoutSeconds,
            }),
          );
          return Messages[0];
        },
        { description: 'the third copy to be received by the crashing peer', timeout: 10_000 },
      );
      const second = startConsumer(first.spy, first.handlers);
      consumer = second.consumer;
      await second.started;
      const redelivered = await first.spy.waitFor(
        { messageId: taken.MessageId as string, outcome: 'duplicate' },
        { timeoutMs: 15_000 },
      );
      expect(redelivered.receiveCount).toBeGreaterThanOrEqual(2);
    } finally {
      await consumer.stop();
    }

    expect(first.spy.count({ id: event.id, outcome: 'handled' })).toBe(1);
    expect(first.spy.count({ id: event.id, outcome: 'duplicate' })).toBe(2);
    expect(first.handlers.calls.filter((id) => id === event.id)).toHaveLength(1);
    expect(await effectsOf(fixture.pool, event.id)).toBe(1);
  });

  it('runs the effect once when two consumers get copies of the same event at the same time', async () => {
    const event = createEvent('order.placed', orderPlaced.example);
    const spy = createHandlerSpy();
    const handlers = recordingHandlers();
    const a = startConsumer(spy, handlers);
    const b = startConsumer(spy, handlers);
    await Promise.all([a.started, b.started]);
    try {
      await Promise.all([fixture.publisher.publish(event), fixture.publisher.publish(event)]);
      await waitFor(() => spy.count({ id: event.id }) === 2, {
        description: 'both copies to be dealt with',
        timeout: 10_000,
      });
    } finally {
      await Promise.all([a.consumer.stop(), b.consumer.stop()]);
    }
    expect(spy.count({ id: event.id, outcome: 'handled' })).toBe(1);
    expect(spy.count({ id: event.id, outcome: 'duplicate' })).toBe(1);
    expect(await effectsOf(fixture.pool, event.id)).toBe(1);
  });
});
