import { orderPlaced } from '@storekeeper/contracts';
import { createLogger } from '@storekeeper/platform';
import { createLogCapture, describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createEventConsumer, type EventConsumer } from '../src/consumer/create-event-consumer.ts';
import { createHandlerSpy } from '../src/consumer/handler-spy.ts';
import { createPostgresInbox } from '../src/consumer/postgres-inbox.ts';
import { RetryLaterError, retryLater } from '../src/consumer/retry-later.ts';
import { createEvent } from '../src/create-event.ts';
import { inspectDeadLetters } from '../src/dlq/inspect-dead-letters.ts';
import { createMessagingFixture, type MessagingFixture } from './helpers/messaging-fixture.ts';
import { queueDepth } from './helpers/queue-messages.ts';
import { createEffectsTable, effectsOf, recordingHandlers } from './helpers/recording-handlers.ts';

describeWithBackends('consumer: a handler that says "retry later"', () => {
  let fixture: MessagingFixture;
  let consumer: EventConsumer;
  const maxReceiveCount = 3;
  const retryBaseDelaySeconds = 1;
  const logs = createLogCapture();
  const spy = createHandlerSpy();
  const cause = new Error('SELECT found no billing account');
  /** Events whose prerequisite (the billing account) is not there yet. */
  const waitingForAccount = new Set<string>();

  // One consumer for the whole file: a stopped consumer's aborted long poll can still take
  // a message on the emulator, which would count as a receive no handler saw.
  beforeAll(async () => {
    fixture = await createMessagingFixture({
      database: true,
      settings: {
        maxReceiveCount,
        visibilityTimeoutSeconds: 5,
        heartbeatIntervalSeconds: 2,
        waitTimeSeconds: 1,
        retryBaseDelaySeconds,
        retryMaxDelaySeconds: 2,
      },
    });
    await createEffectsTable(fixture.pool);
    consumer = createEventConsumer({
      consumer: 'billing',
      topology: fixture.provisioned.topology,
      queueUrl: fixture.provisioned.queues.billing.url,
      sqs: fixture.clients.sqs,
      handlers: recordingHandlers({
        before: (id) => {
          if (waitingForAccount.has(id)) {
            throw retryLater(`no billing account for event ${id} yet`, { cause });
          }
        },
      }),
      inbox: createPostgresInbox(fixture.pool),
      logger: createLogger({
        service: 'retry-later-test',
        level: 'info',
        destination: logs.stream,
      }),
      spy,
    });
    await consumer.start();
    return async () => {
      await consumer.stop();
      await fixture.close();
    };
  });

  /** What the consumer logged about one event, at which level. */
  const logsOf = (eventId: string) => logs.records().filter((r) => r.eventId === eventId);

  it('defers without an effect, logs it as expected, and handles the event once the prerequisite is there', async () => {
    const event = createEvent('order.placed', orderPlaced.example);
    waitingForAccount.add(event.id);
    await fixture.publisher.publish(event);
    const deferred = await spy.waitFor({ id: event.id, outcome: 'deferred' });
    expect(deferred.error).toBeInstanceOf(RetryLaterError);
    expect(deferred.error?.cause).toBe(cause);
    // Rolled back: the inbox did not record the event, so the redelivery runs the handler.
    expect(await effectsOf(fixture.pool, event.id)).toBe(0);

    waitingForAccount.delete(event.id); // user.signed-up got handled meanwhile
    const handled = await spy.waitFor({ id: event.id, outcome: 'handled' });
    expect(handled.receiveCount).toBe(2);
    // Made visible again after the consumer's backoff, not at once.
    expect(handled.at - deferred.at).toBeGreaterThanOrEqual(retryBaseDelaySeconds * 1000 - 100);
    expect(await effectsOf(fixture.pool, event.id)).toBe(1);

    expect(logsOf(event.id)).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'handler cannot proceed yet; will retry',
        reason: `no billing account for event ${event.id} yet`,
        retryInSeconds: retryBaseDelaySeconds,
      }),
    );
    expect(logsOf(event.id).filter((r) => r.level === 'warn' || r.level === 'error')).toEqual([]);
  });

  it('settles a batch message by message: the handled ones deleted, a deferred one back after its delay', async () => {
    const events = Array.from({ length: 6 }, () =>
      createEvent('order.placed', orderPlaced.example),
    );
    const deferredOne = events[2] as (typeof events)[number];
    waitingForAccount.add(deferredOne.id);
    // One SNS batch, so the consumer's receives hold several of them at once.
    const { failed } = await fixture.publisher.publishBatch(events.map((event) => ({ event })));
    expect(failed).toEqual([]);
    const deferred = await spy.waitFor({ id: deferredOne.id, outcome: 'deferred' });
    waitingForAccount.delete(deferredOne.id);
    const handled = await spy.waitFor({ id: deferredOne.id, outcome: 'handled' });
    expect(handled.receiveCount).toBe(2);
    expect(handled.at - deferred.at).toBeGreaterThanOrEqual(retryBaseDelaySeconds * 1000 - 100);
    for (const event of events.filter((e) => e !== deferredOne)) {
      const record = await spy.waitFor({ id: event.id, outcome: 'handled' });
      expect(record.receiveCount).toBe(1);
      expect(await effectsOf(fixture.pool, event.id)).toBe(1);
    }
    expect(await effectsOf(fixture.pool, deferredOne.id)).toBe(1);
    // Deleted, not merely handled: a message left undeleted still counts while invisible.
    expect(await queueDepth(fixture.clients.sqs, fixture.provisioned.queues.billing.url)).toBe(0);
  });

  it('still counts the receives: a prerequisite that never comes ends in the DLQ, with a warning', async () => {
    const event = createEvent('order.placed', orderPlaced.example);
    const { url, deadLetterQueue } = fixture.provisioned.queues.billing;
    waitingForAccount.add(event.id);
    await fixture.publisher.publish(event);
    await waitFor(
      async () => {
        const letters = await inspectDeadLetters({
          sqs: fixture.clients.sqs,
          queueUrl: deadLetterQueue.url,
        });
        return letters.some((letter) => letter.eventId === event.id);
      },
      { description: 'the deferred event in the DLQ', timeout: 20_000, interval: 250 },
    );
    expect(spy.count({ id: event.id, outcome: 'deferred' })).toBe(maxReceiveCount);
    expect(spy.count({ id: event.id, outcome: 'failed' })).toBe(0);
    expect(await effectsOf(fixture.pool, event.id)).toBe(0);
    expect(await queueDepth(fixture.clients.sqs, url)).toBe(0);

    const levels = logsOf(event.id)
      .filter((r) => r.reason !== undefined)
      .map((r) => r.level);
    expect(levels).toEqual([...Array(maxReceiveCount - 1).fill('info'), 'warn']);
    expect(logsOf(event.id).find((r) => r.level === 'error')).toBeUndefined();
  });
});
