import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoTable, provisionDynamoTables } from '@storekeeper/local-cloud';
import { uniqueName } from './unique-name.ts';
import { requireBackends } from './use-backends.ts';

export interface TestTable {
  /** Unique per call: test files (and CI jobs on one emulator) never share a table. */
  readonly tableName: string;
  /** A client of the backends' DynamoDB (dynalite embedded, LocalStack or moto). */
  readonly client: DynamoDBClient;
  close(): void;
}

/**
 * A fresh DynamoDB table declared like a service's (its `stores.dynamodb` entry: keys and
 * indexes), under a unique name, on the test backends. Set the service's table setting to
 * `tableName`; close it after the file.
 */
export async function createTestTable(declared: DynamoTable): Promise<TestTable> {
  const { aws } = requireBackends().connection;
  const endpoint = aws.endpoints.dynamodb ?? aws.endpoints.default;
  const credentials = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
  const tableName = uniqueName(declared.tableName);
  await provisionDynamoTables(endpoint, {
    region: aws.region,
    credentials,
    tables: [{ ...declared, tableName }],
  });
  const client = new DynamoDBClient({
    region: aws.region,
    credentials,
    ...(endpoint ? { endpoint } : {}),
  });
  return { tableName, client, close: () => client.destroy() };
}
