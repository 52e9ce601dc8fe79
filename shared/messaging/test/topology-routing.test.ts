import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import {
  type ConsumerName,
  consumerNames,
  type EventType,
  eventDefinitions,
} from '@storekeeper/contracts';
import { provisionTopology } from '@storekeeper/local-cloud';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createEvent } from '../src/create-event.ts';
import { EventValidationError } from '../src/event-validation.ts';
import { createMessagingFixture, type MessagingFixture } from './helpers/messaging-fixture.ts';
import { drainQueue, queueDepth } from './helpers/queue-messages.ts';

describeWithBackends('topology: filter policies and provisioning', () => {
  let fixture: MessagingFixture;

  beforeAll(async () => {
    fixture = await createMessagingFixture();
    return () => fixture.close();
  });

  it('delivers each event to exactly the queues subscribed to its type, and nowhere else', async () => {
    const { provisioned, publisher, clients } = fixture;
    const sent = new Map<string, EventType>();
    for (const definition of eventDefinitions) {
      const event = createEvent(definition.type, definition.example as never);
      sent.set(event.id, event.type);
      await publisher.publish(event);
    }

    for (const consumer of consumerNames) {
      const queue = provisioned.topology.queueOf(consumer);
      const url = provisioned.queues[consumer].url;
      const received = await drainQueue(clients.sqs, url, queue.eventTypes.length);
      const types = received.map((m) => JSON.parse(m.Body ?? '{}').type as string);
      expect(types.sort(), `queue of ${consumer}`).toEqual([...queue.eventTypes].sort());
      // Raw delivery: the body is the CloudEvent itself and `type` is a message attribute.
      for (const message of received) {
        const body = JSON.parse(message.Body ?? '{}');
        expect(body.specversion).toBe('1.0');
        expect(sent.get(body.id)).toBe(body.type);
        expect(message.MessageAttributes?.type?.StringValue).toBe(body.type);
      }
    }
    // Nothing else arrived anywhere: every queue and every DLQ is empty now.
    for (const consumer of consumerNames) {
      const { url, deadLetterQueue } = provisioned.queues[consumer as ConsumerName];
      expect(await drainQueue(clients.sqs, url, 1, 1_500)).toEqual([]);
      expect(await queueDepth(clients.sqs, deadLetterQueue.url)).toBe(0);
    }
  });

  it('refuses to publish an event that breaks its schema, naming the field', async () => {
    const event = createEvent('order.placed', eventDefinitions[3].example as never);
    const broken = { ...event, data: { ...event.data, currency: 'euro' } };
    const attempt = fixture.publisher.publish(broken as never);
    await expect(attempt).rejects.toBeInstanceOf(EventValidationError);
    await expect(attempt).rejects.toThrow(/data\.currency/);
  });

  it('provisions idempotently: a second run changes nothing and duplicates nothing', async () => {
    const again = await provisionTopology({
      clients: fixture.clients,
      suffix: fixture.provisioned.topology
        .topicOf('user')
        .name.replace('storekeeper-user-events', ''),
    });
    expect(again.queues).toEqual(fixture.provisioned.queues);
    for (const topic of Object.values(again.topics)) {
      if (!topic) continue;
      const { Subscriptions = [] } = await fixture.clients.sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topic.arn }),
      );
      const expected = again.topology.subscriptions.filter((s) => s.topicName === topic.name);
      expect(Subscriptions).toHaveLength(expected.length);
    }
  });
});
