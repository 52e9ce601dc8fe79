import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionDynamoTables } from '../src/provision-dynamo-tables.ts';
import { type LocalCloud, startLocalCloud } from '../src/start-local-cloud.ts';

describe('provisionDynamoTables', () => {
  let cloud: LocalCloud;
  let dynamo: DynamoDBClient;
  const options = () => ({ region: 'us-east-1', credentials: cloud.connection.aws });

  beforeAll(async () => {
    cloud = await startLocalCloud();
    dynamo = new DynamoDBClient({
      endpoint: cloud.connection.aws.endpoints.dynamodb,
      ...options(),
    });
    return async () => {
      dynamo.destroy();
      await cloud.stop();
    };
  });

  it('creates nothing the second time', async () => {
    const endpoint = cloud.connection.aws.endpoints.dynamodb;
    // startLocalCloud provisioned the declared tables already.
    expect(await provisionDynamoTables(endpoint, options())).toEqual([
      {
        tableName: 'email-deliveries',
        created: false,
        timeToLive: 'unsupported by this endpoint',
      },
    ]);
  });

  it('says so when the endpoint cannot expire items, and provisions the table all the same', async () => {
    // dynalite, the embedded backend, has no UpdateTimeToLive; the email service's tests
    // check the time to live on moto and LocalStack, which have it.
    const tables = [
      {
        service: 'test',
        tableName: 'expiring',
        partitionKey: 'id',
        globalSecondaryIndexes: [],
        timeToLiveAttribute: 'expiresAt',
      },
    ];
    const endpoint = cloud.connection.aws.endpoints.dynamodb;
    expect(await provisionDynamoTables(endpoint, { ...options(), tables })).toEqual([
      { tableName: 'expiring', created: true, timeToLive: 'unsupported by this endpoint' },
    ]);
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: 'expiring' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
  });

  it('refuses a table that lacks a declared index, naming it', async () => {
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'older',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const tables = [
      {
        service: 'test',
        tableName: 'older',
        partitionKey: 'id',
        globalSecondaryIndexes: [{ indexName: 'by-owner', partitionKey: 'owner', sortKey: 'at' }],
      },
    ];

    const endpoint = cloud.connection.aws.endpoints.dynamodb;
    await expect(provisionDynamoTables(endpoint, { ...options(), tables })).rejects.toThrow(
      'DynamoDB table older exists without the declared index(es) by-owner',
    );
  });

  it('creates a declared table with its index', async () => {
    const tables = [
      {
        service: 'test',
        tableName: 'newer',
        partitionKey: 'id',
        globalSecondaryIndexes: [{ indexName: 'by-owner', partitionKey: 'owner', sortKey: 'at' }],
      },
    ];
    const endpoint = cloud.connection.aws.endpoints.dynamodb;
    expect(await provisionDynamoTables(endpoint, { ...options(), tables })).toEqual([
      { tableName: 'newer', created: true },
    ]);
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: 'newer' }));
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'by-owner',
      IndexStatus: 'ACTIVE',
      KeySchema: [
        { AttributeName: 'owner', KeyType: 'HASH' },
        { AttributeName: 'at', KeyType: 'RANGE' },
      ],
    });
  });
});
