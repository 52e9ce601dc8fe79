import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createDynamoDeliveryStore } from '../../src/adapters/dynamo-delivery-store.ts';
import { createDynamoRecipientDirectory } from '../../src/adapters/dynamo-recipient-directory.ts';
import type { RecipientDirectory } from '../../src/domain/recipient-directory.ts';
import { createEmailTable, type EmailTable } from '../helper.ts';

describeWithBackends('DynamoDB recipient directory', () => {
  let table: EmailTable;
  let directory: RecipientDirectory;
  beforeAll(async () => {
    table = await createEmailTable();
    directory = createDynamoRecipientDirectory(table.documents, table.tableName);
    return () => table.close();
  });

  it('finds a recipient right after saving it, and nobody it never saved', async () => {
    const recipient = { userId: randomUUID(), email: 'grace@example.com', name: 'Grace' };
    await directory.save(recipient);
    expect(await directory.find(recipient.userId)).toEqual(recipient);
    expect(await directory.find(randomUUID())).toBeUndefined();
  });

  // Stored data depends on this layout (adapters/email-table.ts).
  it('stores a recipient under `recipient#<user id>`, outside the mailbox index', async () => {
    const email = `${randomUUID()}@example.com`;
    const recipient = { userId: randomUUID(), email, name: 'Grace' };
    await directory.save(recipient);
    const { Item } = await table.documents.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { id: `recipient#${recipient.userId}` },
        ConsistentRead: true,
      }),
    );
    expect(Item).toEqual({ id: `recipient#${recipient.userId}`, ...recipient });
    const deliveries = createDynamoDeliveryStore(table.documents, table.tableName);
    expect(await deliveries.listFor(email)).toEqual([]);
  });
});
