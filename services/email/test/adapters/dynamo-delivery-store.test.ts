import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createDynamoDeliveryStore } from '../../src/adapters/dynamo-delivery-store.ts';
import type { Delivery, DeliveryStore } from '../../src/domain/delivery-store.ts';
import { createEmailTable, type EmailTable } from '../helper.ts';

const delivery = (to: string, createdAt: string, eventId = randomUUID()): Delivery => ({
  eventId,
  kind: 'order-confirmed',
  to,
  subject: 'Your order is confirmed',
  text: 'text',
  html: '<p>html</p>',
  status: 'recorded',
  createdAt,
});

describeWithBackends('DynamoDB delivery store', () => {
  let table: EmailTable;
  let store: DeliveryStore;
  beforeAll(async () => {
    table = await createEmailTable();
    store = createDynamoDeliveryStore(table.documents, table.tableName);
    return () => table.close();
  });

  it('lists what was sent to an address, newest first, up to the limit', async () => {
    const to = `${randomUUID()}@example.com`;
    const first = delivery(to, '2026-11-25T10:00:00.000Z');
    const second = delivery(to, '2026-11-25T11:00:00.000Z');
    const third = delivery(to, '2026-11-25T12:00:00.000Z');
    for (const d of [second, third, first]) await store.record(d);
    await store.record(delivery(`${randomUUID()}@example.com`, '2026-11-25T13:00:00.000Z'));

    const ids = (list: Delivery[]) => list.map((d) => d.eventId);
    expect(ids(await store.listFor(to))).toEqual([third.eventId, second.eventId, first.eventId]);
    expect(ids(await store.listFor(to, 2))).toEqual([third.eventId, second.eventId]);
    expect((await store.listFor(to))[0]).toMatchObject(third);
  });

  it('keeps one delivery per event, however often it is recorded', async () => {
    const to = `${randomUUID()}@example.com`;
    const once = delivery(to, '2026-11-25T10:00:00.000Z');
    await store.record(once);
    await store.record({ ...once, status: 'sent', providerMessageId: 'ses-1' });
    const listed = await store.listFor(to);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ status: 'sent', providerMessageId: 'ses-1' });
  });

  // Stored data and the table's index depend on this layout (adapters/email-table.ts).
  it('stores a delivery under `delivery#<event id>`, with the recipient the index is keyed on', async () => {
    const to = `${randomUUID()}@example.com`;
    const recorded = delivery(to, '2026-11-25T10:00:00.000Z');
    await store.record(recorded);
    const { Item } = await table.documents.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { id: `delivery#${recorded.eventId}` },
        ConsistentRead: true,
      }),
    );
    expect(Item).toEqual({ id: `delivery#${recorded.eventId}`, recipient: to, ...recorded });
  });
});
