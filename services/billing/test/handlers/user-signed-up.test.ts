import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { address, type BillingTestApp, buildBillingTestApp } from '../helper.ts';

describeWithBackends('user.signed-up', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await buildBillingTestApp();
    return () => t.close();
  });

  const signedUp = (userId: string, billingAddress = address) =>
    createEvent('user.signed-up', {
      userId,
      email: `${userId}@example.com`,
      name: 'Ada',
      billingAddress,
    });

  it('opens the account with the address and the default credit limit, once per event', async () => {
    const userId = randomUUID();
    const event = signedUp(userId);
    expect(await t.deliver(event)).toBe('processed');
    expect(await t.deliver(event)).toBe('duplicate');
    const response = await t.getAccount(userId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      userId,
      billingAddress: address,
      currency: 'EUR',
      creditLimitCents: 10_000,
      availableCents: 10_000,
      recentCharges: [],
    });
  });

  it('keeps one account, as first opened, when a second event for the same user arrives', async () => {
    const userId = await t.openAccount();
    expect(await t.deliver(signedUp(userId, { ...address, city: 'Bergen' }))).toBe('processed');
    const { rows } = await t.pool.query(
      'SELECT count(*)::int AS n FROM billing_accounts WHERE user_id = $1',
      [userId],
    );
    expect(rows[0].n).toBe(1);
    expect((await t.getAccount(userId)).json().billingAddress).toEqual(address);
  });
});
