import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Inbox, type InboxEntry, inboxRetentionMs } from '@storekeeper/messaging';
import { emailTable } from './email-table.ts';

/** Thrown when another worker holds the event's lease; the message comes back later. */
export class EventInProgressError extends Error {
  constructor(key: string) {
    super(`event ${key} is being handled by another worker`);
    this.name = 'EventInProgressError';
  }
}

/**
 * The inbox of a DynamoDB service whose effect leaves the database (an email sent through
 * SES), so effect and record cannot share a transaction. Instead the event is claimed with
 * a lease (a conditional put), the effect runs, and the claim is marked done:
 *
 * - a second delivery of a done event is a duplicate, skipped;
 * - a failed effect releases the claim, so the redelivery tries again;
 * - a worker that dies mid-effect leaves a claim whose lease runs out; the redelivery after
 *   that takes it over. Only a crash between "sent" and "marked done" can send twice.
 *
 * A claim expires (DynamoDB's time to live) `retentionMs` after it was last written: 15 days
 * by default, as the PostgreSQL inboxes keep their rows, longer than any redelivery can come
 * (the queue keeps a message 4 days, the DLQ 14, then a redrive; ADR 0034).
 */
export function createDynamoInbox(
  documents: DynamoDBDocumentClient,
  tableName: string,
  options: { leaseMs: number; now?: () => number; retentionMs?: number },
): Inbox<undefined> {
  const now = options.now ?? Date.now;
  const retentionMs = options.retentionMs ?? inboxRetentionMs;
  /** DynamoDB reads a time to live in seconds since the epoch. */
  const expiryAfter = (at: number) => Math.ceil((at + retentionMs) / 1000);
  const keyOf = (entry: InboxEntry) => emailTable.inboxClaimId(entry.source, entry.id);

  async function claim(id: string, entry: InboxEntry): Promise<boolean> {
    const at = now();
    try {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            id,
            eventType: entry.type,
            status: 'processing',
            leaseUntil: at + options.leaseMs,
            claimedAt: at,
            [emailTable.expiresAt]: expiryAfter(at),
          },
          ConditionExpression:
            'attribute_not_exists(id) OR (#status = :processing AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':processing': 'processing', ':now': at },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return {
    async runOnce(entry, effect) {
      const id = keyOf(entry);
      if (!(await claim(id, entry))) {
        const { Item } = await documents.send(
          new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
        );
        if (Item?.status === 'done') return 'duplicate';
        throw new EventInProgressError(id);
      }
      try {
        await effect(undefined);
      } catch (error) {
        await documents
          .send(new DeleteCommand({ TableName: tableName, Key: { id } }))
          .catch(() => undefined);
        throw error;
      }
      const doneAt = now();
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id },
          UpdateExpression:
            'SET #status = :done, doneAt = :now, #expiresAt = :expiresAt REMOVE leaseUntil',
          ExpressionAttributeNames: { '#status': 'status', '#expiresAt': emailTable.expiresAt },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':now': doneAt,
            ':expiresAt': expiryAfter(doneAt),
          },
        }),
      );
      return 'processed';
    },
  };
}
