import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';

export interface Delivery {
  /** The event that caused it: one delivery per event. */
  readonly eventId: string;
  readonly kind: string;
  readonly to: string;
  readonly subject: string;
  /** Kept only where the dev mailbox is on: bodies carry one-time tokens. */
  readonly text?: string;
  readonly html?: string;
  readonly status: 'sent' | 'recorded';
  readonly providerMessageId?: string;
  readonly createdAt: string;
}

export interface Recipient {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
}

export interface DeliveryLog {
  record(delivery: Delivery): Promise<void>;
  /** Newest first. */
  listFor(to: string, limit?: number): Promise<Delivery[]>;
  saveRecipient(recipient: Recipient): Promise<void>;
  findRecipient(userId: string): Promise<Recipient | undefined>;
}

/**
 * The email service's one table: deliveries (`delivery#<event id>`, indexed by recipient
 * for the mailbox), the recipient directory (`recipient#<user id>`, filled from
 * user.signed-up so order notifications need no call to the user service), and the inbox
 * claims (`inbox#…`).
 */
export function createDeliveryLog(
  documents: DynamoDBDocumentClient,
  tableName: string,
): DeliveryLog {
  return {
    async record(delivery) {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { id: `delivery#${delivery.eventId}`, recipient: delivery.to, ...delivery },
        }),
      );
    },
    async listFor(to, limit = 50) {
      const { Items } = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'by-recipient',
          KeyConditionExpression: 'recipient = :to',
          ExpressionAttributeValues: { ':to': to },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (Items ?? []) as Delivery[];
    },
    async saveRecipient(recipient) {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { id: `recipient#${recipient.userId}`, ...recipient },
        }),
      );
    },
    async findRecipient(userId) {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: { id: `recipient#${userId}` },
          ConsistentRead: true,
        }),
      );
      return Item ? { userId: Item.userId, email: Item.email, name: Item.name } : undefined;
    },
  };
}
