import { describe, expect, it } from 'vitest';
import { eventDefinitionOf, eventDefinitions } from '../src/event-registry.ts';
import { consumerDeclarations, resolveTopology } from '../src/topology.ts';

describe('topology', () => {
  it('names one topic per producer and one queue + DLQ per consumer (DESIGN §4)', () => {
    const topology = resolveTopology();
    // The store's own (DESIGN §4); a service added by `pnpm new-service` adds to them.
    expect(topology.topics.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'storekeeper-billing-events',
        'storekeeper-order-events',
        'storekeeper-user-events',
      ]),
    );
    expect(topology.queueOf('billing')).toMatchObject({
      name: 'storekeeper-billing',
      deadLetterQueueName: 'storekeeper-billing-dlq',
    });
  });

  it('derives a filtered, raw subscription per (topic, consumer) pair from the declarations', () => {
    const topology = resolveTopology();
    expect(
      topology.subscriptions.map((s) => [s.topicName, s.queueName, [...s.filterPolicy.type]]),
    ).toEqual(
      expect.arrayContaining([
        ['storekeeper-user-events', 'storekeeper-billing', ['user.signed-up']],
        ['storekeeper-order-events', 'storekeeper-billing', ['order.placed']],
        [
          'storekeeper-billing-events',
          'storekeeper-order',
          ['payment.succeeded', 'payment.failed'],
        ],
        [
          'storekeeper-user-events',
          'storekeeper-email',
          ['user.signed-up', 'user.email-verification-requested'],
        ],
        ['storekeeper-order-events', 'storekeeper-email', ['order.confirmed', 'order.rejected']],
      ]),
    );
    expect(topology.subscriptions.every((s) => s.rawMessageDelivery)).toBe(true);
  });

  it('routes every consumed type from its producer’s topic, and every event has a declared path', () => {
    const topology = resolveTopology();
    for (const [consumer, declaration] of Object.entries(consumerDeclarations)) {
      for (const type of declaration.consumes) {
        const topic = topology.topicOf(eventDefinitionOf(type).producer);
        const subscription = topology.subscriptions.find(
          (s) => s.topicName === topic.name && s.consumer === consumer,
        );
        expect(subscription?.filterPolicy.type).toContain(type);
      }
    }
    // Every event type is published on some topic, even those nobody consumes yet.
    const published = topology.topics.flatMap((t) => t.eventTypes);
    expect(published.sort()).toEqual(eventDefinitions.map((d) => d.type).sort());
  });

  it('gives environments and test suites their own names, and lets them override settings', () => {
    const topology = resolveTopology({
      prefix: 'staging-',
      suffix: '-t1',
      settings: { visibilityTimeoutSeconds: 2, heartbeatIntervalSeconds: 1 },
    });
    expect(topology.topicOf('user').name).toBe('staging-storekeeper-user-events-t1');
    expect(topology.queueOf('email').deadLetterQueueName).toBe('staging-storekeeper-email-dlq-t1');
    expect(topology.queueOf('email').settings.visibilityTimeoutSeconds).toBe(2);
  });

  it('refuses settings the consumer could not honour and names that SQS would refuse', () => {
    expect(() =>
      resolveTopology({ settings: { visibilityTimeoutSeconds: 5, heartbeatIntervalSeconds: 5 } }),
    ).toThrow(/heartbeatIntervalSeconds/);
    expect(() => resolveTopology({ suffix: '.dev' })).toThrow(/not a valid queue\/topic name/);
    expect(() => resolveTopology({ suffix: 'x'.repeat(70) })).toThrow(/≤ 80/);
  });
});
