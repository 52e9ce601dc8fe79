import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RecipientDirectory } from '../domain/recipient-directory.ts';
import { emailTable } from './email-table.ts';

/** The recipient directory in the email table (see email-table.ts). */
export function createDynamoRecipientDirectory(
  documents: DynamoDBDocumentClient,
  tableName: string,
): RecipientDirectory {
  return {
    async save(recipient) {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { id: emailTable.recipientId(recipient.userId), ...recipient },
        }),
      );
    },
    async find(userId) {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: { id: emailTable.recipientId(userId) },
          // The order event retried right after user.signed-up must see the new recipient.
          ConsistentRead: true,
        }),
      );
      return Item ? { userId: Item.userId, email: Item.email, name: Item.name } : undefined;
    },
  };
}
