import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryStore } from '../domain/delivery-store.ts';
import { emailTable } from './email-table.ts';

/** Deliveries in the email table, indexed by recipient (see email-table.ts). */
export function createDynamoDeliveryStore(
  documents: DynamoDBDocumentClient,
  tableName: string,
): DeliveryStore {
  return {
    async record(delivery) {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            id: emailTable.deliveryId(delivery.eventId),
            recipient: delivery.to,
            ...delivery,
          },
        }),
      );
    },
    async listFor(to, limit = 50) {
      const { Items } = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: emailTable.byRecipientIndex,
          KeyConditionExpression: 'recipient = :to',
          ExpressionAttributeValues: { ':to': to },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (Items ?? []) as Delivery[];
    },
  };
}
