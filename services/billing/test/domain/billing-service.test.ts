import { RetryLaterError } from '@storekeeper/messaging/retry-later';
import { NotFoundError } from '@storekeeper/platform/errors';
import { describe, expect, it } from 'vitest';
import type { AccountView, BillingAccount, Charge } from '../../src/domain/billing-account.ts';
import type { BillingEvent } from '../../src/domain/billing-events.ts';
import { createBillingService } from '../../src/domain/billing-service.ts';
import type { BillingStore } from '../../src/domain/billing-store.ts';

/** Stands for the caller's transaction; the store records which one each write came on. */
interface Tx {
  readonly name: string;
}

const address = { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' };
const tx: Tx = { name: 'inbox transaction' };

/** Our own store interface kept in memory: the domain's rules tested with plain values. */
function createMemoryStore() {
  const accounts = new Map<string, BillingAccount>();
  const charges: (Charge & { userId: string })[] = [];
  const events: BillingEvent[] = [];
  const writesOn: Tx[] = [];
  const reads: { userId: string; recentCharges: number }[] = [];
  const store: BillingStore<Tx> = {
    async openAccount(on, account) {
      writesOn.push(on);
      if (!accounts.has(account.userId)) {
        accounts.set(account.userId, { ...account, openedAt: new Date() });
      }
    },
    async lockAccount(on, userId) {
      writesOn.push(on);
      return accounts.get(userId);
    },
    async recordCharge(on, charge, availableAfterCents) {
      writesOn.push(on);
      charges.push({ ...charge, chargedAt: new Date() });
      const account = accounts.get(charge.userId);
      if (account) accounts.set(charge.userId, { ...account, availableCents: availableAfterCents });
    },
    async addEvent(on, event) {
      writesOn.push(on);
      events.push(event);
    },
    async findAccount(_db, userId, recentCharges) {
      reads.push({ userId, recentCharges });
      const account = accounts.get(userId);
      if (!account) return undefined;
      const mine = charges.filter((charge) => charge.userId === userId);
      return { account, recentCharges: mine.slice(-recentCharges).reverse() };
    },
  };
  return { store, accounts, charges, events, writesOn, reads };
}

function setUp() {
  const memory = createMemoryStore();
  let ids = 0;
  const billing = createBillingService({
    store: memory.store,
    accountDefaults: { creditLimitCents: 10_000, currency: 'EUR' },
    newId: () => `charge-${++ids}`,
  });
  return { ...memory, billing };
}

const order = (amountCents: number, currency = 'EUR') => ({
  orderId: 'order-1',
  userId: 'user-1',
  amountCents,
  currency,
});

describe('billing service', () => {
  describe('openAccount', () => {
    it('opens the account with the default limit, all of it available, on the given tx', async () => {
      const t = setUp();
      await t.billing.openAccount(tx, { userId: 'user-1', billingAddress: address });
      expect(t.accounts.get('user-1')).toMatchObject({
        userId: 'user-1',
        billingAddress: address,
        currency: 'EUR',
        creditLimitCents: 10_000,
        availableCents: 10_000,
      });
      expect(t.writesOn).toEqual([tx]);
    });
  });

  describe('chargeOrder', () => {
    it('books an order within the credit and announces payment.succeeded with the charge', async () => {
      const t = setUp();
      await t.billing.openAccount(tx, { userId: 'user-1', billingAddress: address });
      const outcome = await t.billing.chargeOrder(tx, order(4_000));
      expect(outcome).toEqual({
        outcome: 'accepted',
        availableAfterCents: 6_000,
        chargeId: 'charge-1',
      });
      expect(t.accounts.get('user-1')?.availableCents).toBe(6_000);
      expect(t.charges).toEqual([
        expect.objectContaining({ id: 'charge-1', orderId: 'order-1', amountCents: 4_000 }),
      ]);
      expect(t.events).toEqual([
        {
          type: 'payment.succeeded',
          data: {
            orderId: 'order-1',
            userId: 'user-1',
            chargeId: 'charge-1',
            amountCents: 4_000,
            currency: 'EUR',
          },
        },
      ]);
      // The lock, the booking and the event all belong to the caller's transaction.
      expect(new Set(t.writesOn)).toEqual(new Set([tx]));
    });

    it('refuses an order over the credit whole: payment.failed, nothing booked', async () => {
      const t = setUp();
      await t.billing.openAccount(tx, { userId: 'user-1', billingAddress: address });
      const outcome = await t.billing.chargeOrder(tx, order(10_001));
      expect(outcome).toEqual({ outcome: 'refused', reason: 'INSUFFICIENT_CREDIT' });
      expect(t.charges).toEqual([]);
      expect(t.accounts.get('user-1')?.availableCents).toBe(10_000);
      expect(t.events).toEqual([
        {
          type: 'payment.failed',
          data: {
            orderId: 'order-1',
            userId: 'user-1',
            reason: 'INSUFFICIENT_CREDIT',
            amountCents: 10_001,
            currency: 'EUR',
          },
        },
      ]);
    });

    it('charges each order against what the previous ones left', async () => {
      const t = setUp();
      await t.billing.openAccount(tx, { userId: 'user-1', billingAddress: address });
      const outcomes = [];
      for (const amount of [6_000, 6_000, 4_000]) {
        outcomes.push((await t.billing.chargeOrder(tx, order(amount))).outcome);
      }
      expect(outcomes).toEqual(['accepted', 'refused', 'accepted']);
      expect(t.accounts.get('user-1')?.availableCents).toBe(0);
    });

    it('defers without a trace while the account is not opened, so the event comes back', async () => {
      const t = setUp();
      const charging = t.billing.chargeOrder(tx, order(100));
      await expect(charging).rejects.toBeInstanceOf(RetryLaterError);
      await expect(charging).rejects.toThrow('no billing account for user user-1 yet');
      expect(t.charges).toEqual([]);
      expect(t.events).toEqual([]);
    });

    it('throws on a foreign currency rather than announcing a payment failure', async () => {
      const t = setUp();
      await t.billing.openAccount(tx, { userId: 'user-1', billingAddress: address });
      await expect(t.billing.chargeOrder(tx, order(100, 'USD'))).rejects.toThrow(/USD/);
      expect(t.charges).toEqual([]);
      expect(t.events).toEqual([]);
    });
  });

  describe('accountView', () => {
    it('shows the account with its ten newest charges', async () => {
      const t = setUp();
      await t.billing.openAccount(tx, { userId: 'user-1', billingAddress: address });
      await t.billing.chargeOrder(tx, order(1_000));
      const view: AccountView = await t.billing.accountView(tx, 'user-1');
      expect(view.account).toMatchObject({ userId: 'user-1', availableCents: 9_000 });
      expect(view.recentCharges).toEqual([expect.objectContaining({ amountCents: 1_000 })]);
      expect(t.reads).toEqual([{ userId: 'user-1', recentCharges: 10 }]);
    });

    it('answers NotFoundError BILLING_ACCOUNT_NOT_FOUND for a user without an account', async () => {
      const t = setUp();
      const error = await t.billing.accountView(tx, 'nobody').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'BILLING_ACCOUNT_NOT_FOUND', status: 404 });
    });
  });
});
