import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ReadinessCheck } from '@storekeeper/platform';

/** Ready when the `email-deliveries` table answers and is ACTIVE (not being created or deleted). */
export function deliveryTableReadiness(client: DynamoDBClient, tableName: string): ReadinessCheck {
  return {
    name: 'deliveries-table',
    async check(signal) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }), {
        abortSignal: signal,
      });
      if (Table?.TableStatus !== 'ACTIVE') {
        throw new Error(`table ${tableName} is ${Table?.TableStatus ?? 'missing'}`);
      }
    },
  };
}
