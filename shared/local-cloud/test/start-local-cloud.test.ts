import { existsSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { resolveTopology } from '@storekeeper/contracts';
import pg from 'pg';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { declaredDatabases } from '../src/declared-stores.ts';
import { isAlive } from '../src/process-exit.ts';
import { type LocalCloud, startLocalCloud } from '../src/start-local-cloud.ts';
import { isListening } from './port-probe.ts';

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startLocalCloud', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    return () => cloud.stop();
  });

  it('gives every PostgreSQL service a role that reaches its own database', async () => {
    for (const { service, database, role } of declaredDatabases()) {
      const url = cloud.envFor(service).DATABASE_URL as string;
      const [row] = await query(url, 'SELECT current_user, current_database()');
      expect(row).toEqual({ current_user: role, current_database: database });
    }
  });

  it("denies a service's role every other service's database", async () => {
    const [user, order] = declaredDatabases();
    if (!user || !order) throw new Error('the services declare fewer than two databases');
    const userUrl = new URL(cloud.connection.postgres.databases[user.service]?.url as string);
    userUrl.pathname = `/${order.database}`;
    await expect(query(userUrl.toString(), 'SELECT 1')).rejects.toMatchObject({
      code: '42501', // insufficient_privilege: "permission denied for database"
    });
  });

  it('hands out no database to services without one', () => {
    expect(cloud.envFor('email').DATABASE_URL).toBeUndefined();
    expect(cloud.envFor('gateway').DATABASE_URL).toBeUndefined();
  });

  it('creates the DynamoDB tables with their indexes, reachable through the env alone', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', cloud.envFor('email').AWS_ENDPOINT_URL_DYNAMODB);
    const dynamo = new DynamoDBClient({ region: 'us-east-1', credentials: cloud.connection.aws });
    try {
      const { Table } = await dynamo.send(
        new DescribeTableCommand({ TableName: 'email-deliveries' }),
      );
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([
        'by-recipient',
      ]);
    } finally {
      dynamo.destroy();
      vi.unstubAllEnvs();
    }
  });

  it('serves SNS to SQS delivery through the endpoint variables the SDK reads itself', async () => {
    const env = cloud.envFor('billing');
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', env.AWS_ENDPOINT_URL_SQS);
    vi.stubEnv('AWS_ENDPOINT_URL_SNS', env.AWS_ENDPOINT_URL_SNS);
    const config = { region: env.AWS_REGION, credentials: cloud.connection.aws };
    // Emulators name queues by URLs whose host is not always resolvable (fauxqs:
    // sqs.<region>.localhost); the SDK would send there instead of the configured endpoint.
    const sqs = new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
    const sns = new SNSClient(config);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'smoke' }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'smoke-events' }));
      await sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: Attributes?.QueueArn,
          Attributes: { RawMessageDelivery: 'true' },
        }),
      );
      await sns.send(new PublishCommand({ TopicArn, Message: '{"hello":"world"}' }));
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }),
      );
      expect(Messages?.[0]?.Body).toBe('{"hello":"world"}');
    } finally {
      sqs.destroy();
      sns.destroy();
      vi.unstubAllEnvs();
    }
  });

  it('provisions the messaging topology: topics, queues, filtered subscriptions', async () => {
    const topology = resolveTopology();
    const { endpoints, region } = cloud.connection.aws;
    const config = { region, credentials: cloud.connection.aws };
    const sns = new SNSClient({ ...config, endpoint: endpoints.sns });
    const sqs = new SQSClient({ ...config, endpoint: endpoints.sqs });
    try {
      const { TopicArn } = await sns.send(
        new CreateTopicCommand({ Name: topology.topicOf('user').name }),
      );
      await sns.send(
        new PublishCommand({
          TopicArn,
          Message: '{"type":"user.signed-up"}',
          MessageAttributes: { type: { DataType: 'String', StringValue: 'user.signed-up' } },
        }),
      );
      const receive = async (consumer: 'billing' | 'email' | 'order', wait: number) => {
        const { QueueUrl } = await sqs.send(
          new GetQueueUrlCommand({ QueueName: topology.queueOf(consumer).name }),
        );
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: wait }),
        );
        return Messages?.map((message) => message.Body) ?? [];
      };
      expect(await receive('billing', 5)).toEqual(['{"type":"user.signed-up"}']);
      expect(await receive('email', 5)).toEqual(['{"type":"user.signed-up"}']);
      expect(await receive('order', 0)).toEqual([]); // its filter policy wants payments only
    } finally {
      sns.destroy();
      sqs.destroy();
    }
  });

  it('listens on loopback only', () => {
    for (const url of [
      cloud.connection.postgres.adminUrl,
      cloud.connection.aws.endpoints.sqs,
      cloud.connection.aws.endpoints.dynamodb,
    ]) {
      expect(new URL(url as string).hostname).toBe('127.0.0.1');
    }
  });
});

describe('startLocalCloud().stop()', () => {
  it('leaves nothing listening, no PostgreSQL process and no throw-away data', async () => {
    const cloud = await startLocalCloud();
    const ports = Object.values(cloud.ports);
    const pid = await postmasterPid(cloud.dataDir);
    for (const port of ports) expect(await isListening(port)).toBe(true);

    await cloud.stop();

    for (const port of ports) expect(await isListening(port)).toBe(false);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(cloud.dataDir)).toBe(false);
    await cloud.stop(); // a second call is harmless
  });
});

async function postmasterPid(dataDir: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const content = await readFile(`${dataDir}/postgres/postmaster.pid`, 'utf8');
  return Number.parseInt(content, 10);
}
