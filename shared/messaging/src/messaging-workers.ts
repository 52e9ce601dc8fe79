import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type ConsumerName, consumerNames, producers, type Topology } from '@storekeeper/contracts';
import {
  type AwsClients,
  type PostgresClient,
  type PostgresPool,
  postgresReadinessCheck,
  type Worker,
} from '@storekeeper/platform';
import type { Logger } from 'pino';
import {
  createEventConsumer,
  type EventConsumer,
  type EventHandlers,
} from './consumer/create-event-consumer.ts';
import type { HandlerSpy } from './consumer/handler-spy.ts';
import type { Inbox } from './consumer/inbox.ts';
import { createPostgresInbox, postgresInboxSweeper } from './consumer/postgres-inbox.ts';
import { createOutboxRelay, type OutboxRelayOptions } from './outbox/create-outbox-relay.ts';
import { createEventPublisher } from './publisher/create-event-publisher.ts';
import { resolveTopicArns } from './publisher/resolve-topic-arns.ts';

/** The SQS client of a consumer: its long poll waits up to the queue's wait time. */
export function sqsClientFor(aws: AwsClients, topology: Topology, consumer: ConsumerName) {
  return aws.client(SQSClient, {
    longPollSeconds: topology.queueOf(consumer).settings.waitTimeSeconds,
    // Send to the configured endpoint, not to the host in a queue URL: emulators name
    // queues after hosts that do not resolve (fauxqs: sqs.<region>.localhost). On AWS
    // the two are the same.
    clientSettings: { useQueueUrlAsEndpoint: false },
  });
}

/** An event consumer as a kit worker: intake, stopped first at shutdown. */
export function consumerWorker(consumer: EventConsumer, stopTimeoutMs = 10_000): Worker {
  return {
    name: 'event consumer',
    role: 'intake',
    start: () => consumer.start(),
    stop: () => consumer.stop({ timeoutMs: stopTimeoutMs }),
    readiness: consumer.readiness,
  };
}

export interface OutboxRelayWorkerOptions {
  readonly service: string;
  readonly pool: PostgresPool;
  readonly aws: AwsClients;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly relay?: Omit<OutboxRelayOptions, 'pool' | 'publisher' | 'logger'>;
}

/**
 * The outbox relay as a kit worker: it finds its topic when it starts (after the
 * server listens) and makes a last pass when it stops, after the intake has finished.
 */
export function outboxRelayWorker(options: OutboxRelayWorkerOptions): Worker {
  let relay: ReturnType<typeof createOutboxRelay> | undefined;
  return {
    name: 'outbox relay',
    role: 'flush',
    async start() {
      const sns = options.aws.client(SNSClient);
      const publisher = createEventPublisher({
        sns,
        topology: options.topology,
        topicArns: await resolveTopicArns(sns, options.topology, [options.service]),
      });
      relay = createOutboxRelay({
        ...options.relay,
        pool: options.pool,
        publisher,
        logger: options.logger,
      });
      relay.start();
    },
    async stop() {
      if (!relay) return;
      await relay.stop();
      // The last pass: what the intake and the requests committed after the loop's last
      // round goes out now, not when the next task happens to start. Bounded: a relay
      // that cannot reach SNS leaves the rest to the next one.
      for (let round = 0; round < lastPassRounds; round++) {
        const { published, failed, unavailable } = await relay.relayOnce();
        if (unavailable || published + failed === 0) break;
      }
    },
  };
}

/** At 100 rows a round, the last pass publishes up to 5,000 events. */
const lastPassRounds = 50;

export interface PostgresMessagingOptions<C extends ConsumerName> {
  readonly service: string;
  readonly pool: PostgresPool;
  readonly aws: AwsClients;
  readonly topology: Topology;
  readonly logger: Logger;
  /** The service's handlers, when the topology gives it a queue. */
  readonly handlers?: EventHandlers<C, PostgresClient>;
  readonly inbox?: Inbox<PostgresClient>;
  readonly spy?: HandlerSpy;
}

/**
 * The workers of a service that keeps its outbox and inbox in PostgreSQL, from the
 * topology: a consumer when it has a queue, a relay when it publishes. In stopping order.
 */
export function postgresMessagingWorkers<C extends ConsumerName>(
  options: PostgresMessagingOptions<C>,
): Worker[] {
  const workers: Worker[] = [];
  const consumes = (consumerNames as readonly string[]).includes(options.service);
  if (consumes !== (options.handlers !== undefined)) {
    throw new Error(
      consumes
        ? `the topology gives ${options.service} a queue, but it declares no handlers`
        : `${options.service} declares handlers, but the topology gives it no queue`,
    );
  }
  if (options.handlers) {
    const consumer = options.service as C;
    workers.push(
      consumerWorker(
        createEventConsumer({
          consumer,
          topology: options.topology,
          sqs: sqsClientFor(options.aws, options.topology, consumer),
          logger: options.logger,
          inbox: options.inbox ?? createPostgresInbox(options.pool),
          // A database outage pauses receiving rather than burning the messages' receives.
          store: postgresReadinessCheck(options.pool),
          handlers: options.handlers,
          ...(options.spy ? { spy: options.spy } : {}),
        }),
      ),
      postgresInboxSweeper(options.pool, options.logger),
    );
  }
  if (producers().has(options.service)) {
    workers.push(outboxRelayWorker(options));
  }
  return workers;
}
