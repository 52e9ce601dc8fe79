import { randomUUID } from 'node:crypto';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { address, type BillingTestApp, buildBillingTestApp } from '../helper.ts';

describeWithBackends('billing routes', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await buildBillingTestApp();
    return () => t.close();
  });

  it('answers 404 for a user without an account, 401 without a token', async () => {
    const none = await t.getAccount(randomUUID());
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'BILLING_ACCOUNT_NOT_FOUND' });
    const anonymous = await t.app.inject({ url: '/billing/account' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('shows each caller only its own account', async () => {
    const alice = await t.openAccount();
    const bob = await t.openAccount();
    const seen = await t.getAccount(bob);
    expect(seen.json().userId).toBe(bob);
    expect(seen.json().userId).not.toBe(alice);
  });

  it('sends dates as ISO 8601 text and leaves the charge id out', async () => {
    const userId = await t.openAccount();
    const order = createEvent('order.placed', {
      orderId: randomUUID(),
      userId,
      items: [{ sku: 'MUG-BLUE', quantity: 2, unitPriceCents: 750 }],
      totalCents: 1_500,
      currency: 'EUR',
    });
    await t.deliver(order);
    const account = (await t.getAccount(userId)).json();
    expect(account.openedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(account.recentCharges).toEqual([
      {
        orderId: order.data.orderId,
        amountCents: 1_500,
        currency: 'EUR',
        chargedAt: expect.stringMatching(/Z$/),
      },
    ]);
  });

  it('serves any account to other services on the internal route, 404 for an unknown one', async () => {
    const userId = await t.openAccount();
    const found = await t.app.inject({ url: `/internal/billing/accounts/${userId}` });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({ userId, billingAddress: address });
    const missing = await t.app.inject({ url: `/internal/billing/accounts/${randomUUID()}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'BILLING_ACCOUNT_NOT_FOUND' });
    const malformed = await t.app.inject({ url: '/internal/billing/accounts/not-a-uuid' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
