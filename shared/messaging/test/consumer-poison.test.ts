import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { orderPlaced, userSignedUp } from '@storekeeper/contracts';
import { describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createEventConsumer } from '../src/consumer/create-event-consumer.ts';
import { createHandlerSpy } from '../src/consumer/handler-spy.ts';
import { createPostgresInbox } from '../src/consumer/postgres-inbox.ts';
import { createEvent } from '../src/create-event.ts';
import { inspectDeadLetters } from '../src/dlq/inspect-dead-letters.ts';
import { redriveDeadLetters } from '../src/dlq/redrive-dead-letters.ts';
import { createMessagingFixture, type MessagingFixture } from './helpers/messaging-fixture.ts';
import { queueDepth } from './helpers/queue-messages.ts';
import { createEffectsTable, effectsOf, recordingHandlers } from './helpers/recording-handlers.ts';

describeWithBackends('consumer: poison messages and the dead-letter queue', () => {
  let fixture: MessagingFixture;
  const maxReceiveCount = 3;

  beforeAll(async () => {
    fixture = await createMessagingFixture({
      database: true,
      settings: {
        maxReceiveCount,
        visibilityTimeoutSeconds: 5,
        heartbeatIntervalSeconds: 2,
        waitTimeSeconds: 1,
        retryBaseDelaySeconds: 1,
        retryMaxDelaySeconds: 2,
      },
    });
    await createEffectsTable(fixture.pool);
    return () => fixture.close();
  });

  it('moves malformed and schema-invalid messages to the DLQ after the configured receives, while valid ones flow; redrive brings a fixed one back once', async () => {
    const { sqs } = fixture.clients;
    const { url, deadLetterQueue } = fixture.provisioned.queues.billing;
    const spy = createHandlerSpy();
    // The "bug": this event's handler fails until it is fixed.
    const buggy = createEvent('order.placed', orderPlaced.example);
    let fixed = false;
    const handlers = recordingHandlers({
      before: (id) => {
        if (id === buggy.id && !fixed) throw new Error('bug in the handler');
      },
    });
    const consumer = createEventConsumer({
      consumer: 'billing',
      topology: fixture.provisioned.topology,
      queueUrl: url,
      sqs,
      handlers,
      inbox: createPostgresInbox(fixture.pool),
      logger: fixture.logger,
      spy,
    });
    await consumer.start();
    try {
      const notJson = await sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'this is not an event {' }),
      );
      const valid = createEvent('user.signed-up', userSignedUp.example);
      const invalid = { ...valid, id: 'c7d9e0f1-2a3b-4c5d-8e6f-7a8b9c0d1e2f' };
      const schemaInvalid = await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: JSON.stringify({ ...invalid, data: { ...invalid.data, email: 'nope' } }),
        }),
      );
      await fixture.publisher.publish(buggy);
      const good = Array.from({ length: 5 }, () =>
        createEvent('order.placed', orderPlaced.example),
      );
      for (const event of good) await fixture.publisher.publish(event);

      // Good messages are not held up by the bad ones.
      for (const event of good) await spy.waitFor({ id: event.id, outcome: 'handled' });

      const rejected = await spy.waitFor({
        messageId: schemaInvalid.MessageId as string,
        outcome: 'rejected',
      });
      expect(rejected.error?.message).toMatch(/data\.email/);

      // Each bad message is received maxReceiveCount times, then SQS moves it to the DLQ.
      const dead = await waitFor(
        async () => {
          const letters = await inspectDeadLetters({ sqs, queueUrl: deadLetterQueue.url });
          return letters.length === 3 ? letters : undefined;
        },
        { description: 'three messages in the DLQ', timeout: 20_000, interval: 250 },
      );
      for (const messageId of [notJson.MessageId, schemaInvalid.MessageId]) {
        expect(spy.count({ messageId, outcome: 'rejected' }), messageId).toBe(maxReceiveCount);
      }
      expect(spy.count({ id: buggy.id, outcome: 'failed' })).toBe(maxReceiveCount);
      expect(dead.map((d) => d.eventId).sort()).toEqual(
        [undefined, invalid.id, buggy.id].sort() as string[],
      );
      expect(await queueDepth(sqs, url)).toBe(0);

      // The fix ships; the operator redrives only the buggy event.
      fixed = true;
      const result = await redriveDeadLetters({
        sqs,
        fromQueueUrl: deadLetterQueue.url,
        toQueueUrl: url,
        ratePerSecond: 10,
        filter: (letter) => letter.eventId === buggy.id,
      });
      expect(result).toEqual({ moved: 1, skipped: 2 });
      await spy.waitFor({ id: buggy.id, outcome: 'handled' });
      expect(await effectsOf(fixture.pool, buggy.id)).toBe(1);
      expect(await inspectDeadLetters({ sqs, queueUrl: deadLetterQueue.url })).toHaveLength(2);
    } finally {
      await consumer.stop();
    }
  });
});
