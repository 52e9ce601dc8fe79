import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createDynamoRecipientDirectory } from '../../src/adapters/dynamo-recipient-directory.ts';
import { address, type EmailHarness, mailbox, startEmail } from '../helper.ts';

describeWithBackends('user.signed-up', () => {
  let h: EmailHarness;
  beforeAll(async () => {
    h = await startEmail();
    return () => h.close();
  });

  it('learns where the user’s emails go, and sends nothing itself', async () => {
    const userId = randomUUID();
    const email = `${userId}@example.com`;
    const signedUp = createEvent('user.signed-up', {
      userId,
      email,
      name: 'Grace',
      billingAddress: address,
    });
    await h.publisher.publish(signedUp);
    await h.spy.waitFor({ id: signedUp.id, outcome: 'handled' }, { timeoutMs: 15_000 });

    const recipients = createDynamoRecipientDirectory(h.table.documents, h.table.tableName);
    expect(await recipients.find(userId)).toEqual({ userId, email, name: 'Grace' });
    expect(await mailbox(h.app, email)).toEqual([]);
  });
});
