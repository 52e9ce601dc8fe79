import { randomUUID } from 'node:crypto';
import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { inboxRetentionMs } from '@storekeeper/messaging';
import { backendsModeFrom, describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createDynamoInbox, EventInProgressError } from '../../src/adapters/dynamo-inbox.ts';
import { createEmailTable, type EmailTable } from '../helper.ts';

const entry = () => ({ source: 'user', id: randomUUID(), type: 'user.signed-up' });

describeWithBackends('DynamoDB inbox', () => {
  let table: EmailTable;
  // Not a whole second: an expiry rounded the wrong way shows.
  const clock = { now: 1_700_000_000_123 };
  const inbox = () =>
    createDynamoInbox(table.documents, table.tableName, { leaseMs: 30_000, now: () => clock.now });
  beforeAll(async () => {
    table = await createEmailTable();
    return () => table.close();
  });

  it('runs the effect once and calls every later delivery a duplicate', async () => {
    const event = entry();
    let runs = 0;
    const effect = async () => {
      runs++;
    };
    expect(await inbox().runOnce(event, effect)).toBe('processed');
    expect(await inbox().runOnce(event, effect)).toBe('duplicate');
    expect(runs).toBe(1);

    // Stored data depends on this layout (adapters/email-table.ts).
    const { Item } = await table.documents.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { id: `inbox#user#${event.id}` },
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({ eventType: 'user.signed-up', status: 'done' });
  });

  it('lets a claim expire 15 days after it was last written, as the PostgreSQL inboxes do', async () => {
    const event = entry();
    const key = { id: `inbox#user#${event.id}` };
    const expiresAt = async () =>
      (
        await table.documents.send(
          new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
        )
      ).Item?.expiresAt;
    const claimedAt = clock.now;
    let whileClaimed: unknown;
    await inbox().runOnce(event, async () => {
      whileClaimed = await expiresAt();
      clock.now += 60_000;
    });
    // Epoch seconds: what DynamoDB's time to live reads.
    expect(whileClaimed).toBe(Math.ceil((claimedAt + inboxRetentionMs) / 1000));
    expect(await expiresAt()).toBe(Math.ceil((claimedAt + 60_000 + inboxRetentionMs) / 1000));
  });

  it.skipIf(backendsModeFrom() === 'embedded')(
    'expires claims by the table’s time to live (not on dynalite, the embedded backend, which has none)',
    async () => {
      const { TimeToLiveDescription } = await table.dynamo.send(
        new DescribeTimeToLiveCommand({ TableName: table.tableName }),
      );
      expect(TimeToLiveDescription).toMatchObject({
        TimeToLiveStatus: expect.stringMatching(/^ENABL(ED|ING)$/),
        AttributeName: 'expiresAt',
      });
    },
  );

  it('releases the claim when the effect fails, so the redelivery runs it again', async () => {
    const event = entry();
    await expect(
      inbox().runOnce(event, async () => {
        throw new Error('SES unavailable');
      }),
    ).rejects.toThrow('SES unavailable');
    let ran = false;
    expect(
      await inbox().runOnce(event, async () => {
        ran = true;
      }),
    ).toBe('processed');
    expect(ran).toBe(true);
  });

  it('turns away a second worker while the lease runs, and lets it take over once it ran out', async () => {
    const event = entry();
    let started!: () => void;
    const effectStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    let finish!: () => void;
    const stuck = inbox().runOnce(event, async () => {
      started();
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    await effectStarted;

    await expect(inbox().runOnce(event, async () => {})).rejects.toBeInstanceOf(
      EventInProgressError,
    );

    clock.now += 30_001;
    let tookOver = false;
    expect(
      await inbox().runOnce(event, async () => {
        tookOver = true;
      }),
    ).toBe('processed');
    expect(tookOver).toBe(true);
    finish();
    await stuck;
  });
});
