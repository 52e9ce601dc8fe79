import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { provisionDynamoTables } from '@storekeeper/local-cloud';
import { beforeAll, expect, it } from 'vitest';
import { backendsModeFrom } from '../src/backends-mode.ts';
import { createTestTable, type TestTable } from '../src/create-test-table.ts';
import { describeWithBackends, requireBackends } from '../src/use-backends.ts';

const declared = {
  tableName: 'expiring',
  partitionKey: 'id',
  globalSecondaryIndexes: [],
  timeToLiveAttribute: 'expiresAt',
};

// dynalite, the embedded backend, has no UpdateTimeToLive (provision-dynamo-tables.test.ts
// shows what provisioning says there); moto, LocalStack and AWS have it.
describeWithBackends('createTestTable, with an item expiry', () => {
  let table: TestTable;
  const provision = (tableName: string, timeToLiveAttribute: string) => {
    const { aws } = requireBackends().connection;
    return provisionDynamoTables(aws.endpoints.dynamodb ?? aws.endpoints.default, {
      region: aws.region,
      credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
      tables: [{ ...declared, tableName, timeToLiveAttribute }],
    });
  };
  beforeAll(async () => {
    table = await createTestTable(declared);
    return () => table.close();
  });

  it.skipIf(backendsModeFrom() === 'embedded')(
    'turns the time to live on, and provisioning again finds it on (not on dynalite)',
    async () => {
      const { TimeToLiveDescription } = await table.client.send(
        new DescribeTimeToLiveCommand({ TableName: table.tableName }),
      );
      expect(TimeToLiveDescription).toMatchObject({
        TimeToLiveStatus: expect.stringMatching(/^ENABL(ED|ING)$/),
        AttributeName: 'expiresAt',
      });
      expect(await provision(table.tableName, 'expiresAt')).toEqual([
        { tableName: table.tableName, created: false, timeToLive: 'enabled' },
      ]);
    },
  );

  it.skipIf(backendsModeFrom() === 'embedded')(
    'refuses a table whose items expire on another attribute, naming both (not on dynalite)',
    async () => {
      await expect(provision(table.tableName, 'ttl')).rejects.toThrow(
        `DynamoDB table ${table.tableName} expires items on expiresAt, not on the declared ttl`,
      );
    },
  );
});
