import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTopicCommand } from '@aws-sdk/client-sns';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import type { QueueSettings } from '@storekeeper/contracts';
import {
  createMessagingClients,
  type MessagingClients,
  type MessagingEndpoints,
  type ProvisionedTopology,
  provisionTopology,
} from '@storekeeper/local-cloud';
import {
  createLogger,
  createPostgresPool,
  migrate,
  type PostgresPool,
} from '@storekeeper/platform';
import { createTestDatabase, requireBackends, uniqueName } from '@storekeeper/testing';
import type { Logger } from 'pino';
import { readOutboxInboxMigration } from '../../src/outbox/outbox-migration.ts';
import {
  createEventPublisher,
  type EventPublisher,
} from '../../src/publisher/create-event-publisher.ts';

export interface MessagingFixture {
  readonly mode: string;
  readonly region: string;
  readonly endpoints: MessagingEndpoints;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly clients: MessagingClients;
  readonly provisioned: ProvisionedTopology;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  /** Present with `database: true`: a fresh database with the outbox and inbox tables. */
  readonly pool: PostgresPool;
  readonly databaseUrl: string;
  close(): Promise<void>;
}

/**
 * One isolated copy of the topology (unique suffix) on the run's SNS/SQS, and optionally a
 * fresh database migrated with the outbox/inbox migration, for one test file.
 */
export async function createMessagingFixture(
  options: { settings?: Partial<QueueSettings>; database?: boolean } = {},
): Promise<MessagingFixture> {
  const backends = requireBackends();
  const { aws } = backends.connection;
  const endpoints: MessagingEndpoints = {
    ...(aws.endpoints.default ? { default: aws.endpoints.default } : {}),
    ...(aws.endpoints.sns ? { sns: aws.endpoints.sns } : {}),
    ...(aws.endpoints.sqs ? { sqs: aws.endpoints.sqs } : {}),
  };
  const credentials = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
  const clients = createMessagingClients({ region: aws.region, endpoints, credentials });
  // The topology's longest name is "storekeeper-billing-dlq" + suffix; SQS allows 80.
  const suffix = uniqueName('-t', 12);
  const provisioned = await provisionTopology({
    clients,
    suffix,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const logger = createLogger({
    service: 'messaging-test',
    level: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const publisher = createEventPublisher({
    sns: clients.sns,
    topology: provisioned.topology,
    topicArns: Object.fromEntries(
      Object.entries(provisioned.topics).map(([producer, topic]) => [producer, topic?.arn]),
    ),
  });

  let pool: PostgresPool | undefined;
  let databaseUrl = '';
  let dropDatabase: () => Promise<void> = async () => {};
  if (options.database) {
    const database = await createTestDatabase('messaging');
    databaseUrl = database.url;
    dropDatabase = database.drop;
    await applyOutboxMigration(database.url, logger);
    pool = await createPostgresPool({
      connectionString: database.url,
      applicationName: 'messaging-test',
      logger,
      max: 20,
    });
  }

  return {
    mode: backends.mode,
    region: aws.region,
    endpoints,
    credentials,
    clients,
    provisioned,
    publisher,
    logger,
    get pool() {
      if (!pool) throw new Error('this fixture was created without a database');
      return pool;
    },
    databaseUrl,
    async close() {
      await pool?.end();
      await dropDatabase();
      await deleteTopology(clients, provisioned).catch(() => undefined);
      clients.destroy();
    },
  };
}

/** Applies the original migration file the way a service does (node-pg-migrate). */
export async function applyOutboxMigration(databaseUrl: string, logger: Logger): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'outbox-migration-'));
  try {
    await writeFile(join(dir, '0001_outbox-inbox.sql'), await readOutboxInboxMigration());
    await migrate({ databaseUrl, dir, logger });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Shared emulators (CI's moto) should not collect one topology per test file. */
async function deleteTopology(clients: MessagingClients, provisioned: ProvisionedTopology) {
  for (const queue of Object.values(provisioned.queues)) {
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.deadLetterQueue.url }));
  }
  for (const topic of Object.values(provisioned.topics)) {
    if (topic) await clients.sns.send(new DeleteTopicCommand({ TopicArn: topic.arn }));
  }
}
