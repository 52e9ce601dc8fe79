import { type EventType, eventDefinitionOf, producers } from './event-registry.ts';
import { topicBaseName } from './events/define-event.ts';
import type { ServiceName } from './services.ts';

/**
 * How a consumer's queue behaves. The provisioner sets the queue attributes from it and
 * the consumer reads the same values, so the two can never disagree.
 */
export interface QueueSettings {
  /** How long a received message stays hidden; the heartbeat extends it for slow handlers. */
  readonly visibilityTimeoutSeconds: number;
  /** How often a running handler extends the visibility (must be below the timeout). */
  readonly heartbeatIntervalSeconds: number;
  /** Receives after which SQS moves a message to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Messages per ReceiveMessage call (1–10). */
  readonly batchSize: number;
  /** Long-polling wait of one ReceiveMessage call (0–20). */
  readonly waitTimeSeconds: number;
  readonly messageRetentionSeconds: number;
  /** Longer than the queue's, so a message can still be redriven after a long weekend. */
  readonly deadLetterRetentionSeconds: number;
  /**
   * A failed handler's message comes back after this delay, doubled on every receive up to
   * `retryMaxDelaySeconds`: a database restart does not burn all receives in a second.
   * A message that can never succeed (not JSON, not schema-valid) comes back at once.
   */
  readonly retryBaseDelaySeconds: number;
  readonly retryMaxDelaySeconds: number;
}

export interface ConsumerDeclaration {
  /** Event types the consumer's queue receives; the filter policies are derived from it. */
  readonly consumes: readonly EventType[];
  readonly settings?: Partial<QueueSettings>;
}

const days = 24 * 60 * 60;

export const defaultQueueSettings: QueueSettings = {
  visibilityTimeoutSeconds: 30,
  heartbeatIntervalSeconds: 10,
  maxReceiveCount: 5,
  batchSize: 10,
  waitTimeSeconds: 20,
  messageRetentionSeconds: 4 * days,
  deadLetterRetentionSeconds: 14 * days,
  retryBaseDelaySeconds: 2,
  retryMaxDelaySeconds: 300,
};

/**
 * Who consumes what (DESIGN §4), the one place to change it. Topics follow from the
 * registry's producers; subscriptions and filter policies follow from this.
 */
export const consumerDeclarations = {
  billing: { consumes: ['user.signed-up', 'order.placed'] },
  order: { consumes: ['payment.succeeded', 'payment.failed'] },
  email: {
    consumes: [
      'user.signed-up',
      'user.email-verification-requested',
      'order.confirmed',
      'order.rejected',
    ],
    // Sending goes through SES: allow for a slow provider before the heartbeat kicks in.
    settings: { visibilityTimeoutSeconds: 60, heartbeatIntervalSeconds: 20 },
  },
} as const satisfies Partial<Record<ServiceName, ConsumerDeclaration>>;

export type ConsumerName = keyof typeof consumerDeclarations;
export const consumerNames = Object.keys(consumerDeclarations) as ConsumerName[];

/**
 * Names for one copy of the topology: environments (`-staging`) and test suites (a unique
 * suffix each) get their own. Settings override the declared ones for every queue, for
 * tests that need a 2-second visibility timeout.
 */
export interface TopologyOptions {
  readonly prefix?: string;
  readonly suffix?: string;
  readonly settings?: Partial<QueueSettings>;
}

export interface TopicDeclaration {
  readonly producer: ServiceName;
  readonly name: string;
  readonly eventTypes: readonly EventType[];
}

export interface QueueDeclaration {
  readonly consumer: ConsumerName;
  readonly name: string;
  readonly deadLetterQueueName: string;
  readonly eventTypes: readonly EventType[];
  readonly settings: QueueSettings;
}

/** SNS filter policy on the `type` message attribute. */
export interface TypeFilterPolicy {
  readonly type: readonly EventType[];
}

export interface SubscriptionDeclaration {
  readonly topicName: string;
  readonly queueName: string;
  readonly producer: ServiceName;
  readonly consumer: ConsumerName;
  readonly filterPolicy: TypeFilterPolicy;
  /** The SQS body is the CloudEvent itself, not an SNS notification around it. */
  readonly rawMessageDelivery: true;
}

export interface Topology {
  readonly topics: readonly TopicDeclaration[];
  readonly queues: readonly QueueDeclaration[];
  readonly subscriptions: readonly SubscriptionDeclaration[];
  topicOf(producer: ServiceName): TopicDeclaration;
  queueOf(consumer: ConsumerName): QueueDeclaration;
}

/** The whole topology, named for one environment or test suite. */
export function resolveTopology(options: TopologyOptions = {}): Topology {
  const name = (base: string) => {
    const full = `${options.prefix ?? ''}${base}${options.suffix ?? ''}`;
    // SQS allows 80 characters of letters, digits, `-` and `_`; SNS allows more.
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(full)) {
      throw new Error(`"${full}" is not a valid queue/topic name (letters, digits, - and _, ≤ 80)`);
    }
    return full;
  };

  const topics: TopicDeclaration[] = [...producers()].map(([producer, eventTypes]) => ({
    producer,
    name: name(topicBaseName(producer)),
    eventTypes,
  }));

  const queues: QueueDeclaration[] = consumerNames.map((consumer) => {
    const declaration: ConsumerDeclaration = consumerDeclarations[consumer];
    const settings = checkSettings(consumer, {
      ...defaultQueueSettings,
      ...declaration.settings,
      ...options.settings,
    });
    return {
      consumer,
      name: name(`storekeeper-${consumer}`),
      deadLetterQueueName: name(`storekeeper-${consumer}-dlq`),
      eventTypes: declaration.consumes,
      settings,
    };
  });

  const subscriptions: SubscriptionDeclaration[] = queues.flatMap((queue) =>
    topics.flatMap((topic) => {
      const types = queue.eventTypes.filter(
        (t) => eventDefinitionOf(t).producer === topic.producer,
      );
      if (types.length === 0) return [];
      return [
        {
          topicName: topic.name,
          queueName: queue.name,
          producer: topic.producer,
          consumer: queue.consumer,
          filterPolicy: { type: types },
          rawMessageDelivery: true as const,
        },
      ];
    }),
  );

  return {
    topics,
    queues,
    subscriptions,
    topicOf(producer) {
      const topic = topics.find((t) => t.producer === producer);
      if (!topic) throw new Error(`service "${producer}" publishes no events, so it has no topic`);
      return topic;
    },
    queueOf(consumer) {
      const queue = queues.find((q) => q.consumer === consumer);
      if (!queue) throw new Error(`service "${consumer}" consumes no events, so it has no queue`);
      return queue;
    },
  };
}

function checkSettings(consumer: string, settings: QueueSettings): QueueSettings {
  const problems: string[] = [];
  const s = settings;
  if (s.batchSize < 1 || s.batchSize > 10) problems.push('batchSize must be 1–10');
  if (s.waitTimeSeconds < 0 || s.waitTimeSeconds > 20)
    problems.push('waitTimeSeconds must be 0–20');
  if (s.maxReceiveCount < 1 || s.maxReceiveCount > 1000)
    problems.push('maxReceiveCount must be 1–1000');
  if (s.visibilityTimeoutSeconds < 1 || s.visibilityTimeoutSeconds > 43_200)
    problems.push('visibilityTimeoutSeconds must be 1–43200');
  if (s.heartbeatIntervalSeconds <= 0 || s.heartbeatIntervalSeconds >= s.visibilityTimeoutSeconds)
    problems.push('heartbeatIntervalSeconds must be above 0 and below visibilityTimeoutSeconds');
  if (s.retryBaseDelaySeconds < 0 || s.retryMaxDelaySeconds < s.retryBaseDelaySeconds)
    problems.push('retry delays must satisfy 0 ≤ retryBaseDelaySeconds ≤ retryMaxDelaySeconds');
  if (problems.length > 0) {
    throw new Error(`queue settings of "${consumer}" are invalid: ${problems.join('; ')}`);
  }
  return Object.freeze({ ...settings });
}
