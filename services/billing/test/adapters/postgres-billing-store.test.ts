import { randomUUID } from 'node:crypto';
import { createOutbox } from '@storekeeper/messaging';
import { type PostgresClient, withTransaction } from '@storekeeper/platform';
import { describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPostgresBillingStore } from '../../src/adapters/postgres-billing-store.ts';
import type { NewAccount } from '../../src/domain/billing-store.ts';
import {
  address,
  availableCents,
  type BillingTestDatabase,
  createBillingTestDatabase,
  paymentEvents,
} from '../helper.ts';

const store = createPostgresBillingStore(createOutbox());

describeWithBackends('postgres billing store', () => {
  let t: BillingTestDatabase;
  beforeAll(async () => {
    t = await createBillingTestDatabase();
    return () => t.close();
  });

  const inTransaction = <T>(work: (tx: PostgresClient) => Promise<T>) =>
    withTransaction(t.pool, work);

  const newAccount = (overrides: Partial<NewAccount> = {}): NewAccount => ({
    userId: randomUUID(),
    billingAddress: address,
    currency: 'EUR',
    creditLimitCents: 10_000,
    availableCents: 10_000,
    ...overrides,
  });

  async function openAccount(overrides: Partial<NewAccount> = {}) {
    const account = newAccount(overrides);
    await inTransaction((tx) => store.openAccount(tx, account));
    return account.userId;
  }

  const charge = (userId: string, amountCents: number, orderId = randomUUID()) => ({
    id: randomUUID(),
    orderId,
    userId,
    amountCents,
    currency: 'EUR',
  });

  describe('openAccount and findAccount', () => {
    it('stores the account as given and reads it back with numbers and a date', async () => {
      const userId = await openAccount({ creditLimitCents: 7_500, availableCents: 7_000 });
      const view = await store.findAccount(t.pool, userId, 10);
      expect(view).toEqual({
        account: {
          userId,
          billingAddress: address,
          currency: 'EUR',
          creditLimitCents: 7_500,
          availableCents: 7_000,
          openedAt: expect.any(Date),
        },
        recentCharges: [],
      });
    });

    it('leaves an opened account as it is when it is opened again', async () => {
      const userId = await openAccount();
      const other = { ...address, city: 'Bergen' };
      await inTransaction((tx) =>
        store.openAccount(tx, newAccount({ userId, billingAddress: other, availableCents: 1 })),
      );
      const { rows } = await t.pool.query(
        'SELECT count(*)::int AS n FROM billing_accounts WHERE user_id = $1',
        [userId],
      );
      expect(rows[0].n).toBe(1);
      expect((await store.findAccount(t.pool, userId, 10))?.account).toMatchObject({
        billingAddress: address,
        availableCents: 10_000,
      });
    });

    it('finds nothing for an unknown user', async () => {
      expect(await store.findAccount(t.pool, randomUUID(), 10)).toBeUndefined();
      expect(await inTransaction((tx) => store.lockAccount(tx, randomUUID()))).toBeUndefined();
    });

    it('lists the newest charges first, no more than asked for', async () => {
      const userId = await openAccount();
      // One transaction each: charged_at is the transaction's start, so each is later.
      for (const amount of [100, 200, 300]) {
        await inTransaction((tx) => store.recordCharge(tx, charge(userId, amount), 0));
      }
      const view = await store.findAccount(t.pool, userId, 2);
      expect(view?.recentCharges.map((c) => c.amountCents)).toEqual([300, 200]);
      expect(view?.recentCharges[0]).toMatchObject({
        id: expect.any(String),
        orderId: expect.any(String),
        currency: 'EUR',
        chargedAt: expect.any(Date),
      });
    });
  });

  describe('lockAccount and recordCharge', () => {
    it('books the charge and the balance it is given', async () => {
      const userId = await openAccount();
      const booked = charge(userId, 2_500);
      await inTransaction((tx) => store.recordCharge(tx, booked, 7_500));
      expect(await availableCents(t.pool, userId)).toBe(7_500);
      const view = await store.findAccount(t.pool, userId, 10);
      expect(view?.recentCharges).toEqual([
        expect.objectContaining({ id: booked.id, orderId: booked.orderId, amountCents: 2_500 }),
      ]);
    });

    it('makes a second transaction wait for the lock, then see the balance the first left', async () => {
      const userId = await openAccount();
      const first = await t.pool.connect();
      const second = await t.pool.connect();
      try {
        await first.query('BEGIN');
        await store.lockAccount(first, userId);
        await second.query('BEGIN');
        const { rows } = await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const waiting = store.lockAccount(second, userId);
        await waitFor(
          async () => {
            const activity = await t.pool.query<{ wait_event_type: string | null }>(
              'SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1',
              [rows[0]?.pid],
            );
            return activity.rows[0]?.wait_event_type === 'Lock';
          },
          { description: 'the second transaction to wait for the account lock' },
        );
        await store.recordCharge(first, charge(userId, 4_000), 6_000);
        await first.query('COMMIT');
        expect((await waiting)?.availableCents).toBe(6_000);
        await second.query('COMMIT');
      } finally {
        // Destroyed, not pooled: after a failure either may still be inside its transaction.
        first.release(true);
        second.release(true);
      }
    });

    it('books an order once: a second charge for it fails and its transaction leaves nothing', async () => {
      const userId = await openAccount();
      const orderId = randomUUID();
      await inTransaction((tx) => store.recordCharge(tx, charge(userId, 1_000, orderId), 9_000));
      await expect(
        inTransaction((tx) => store.recordCharge(tx, charge(userId, 1_000, orderId), 8_000)),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await availableCents(t.pool, userId)).toBe(9_000);
    });
  });

  describe('addEvent', () => {
    const failed = (orderId: string) => ({
      type: 'payment.failed' as const,
      data: {
        orderId,
        userId: randomUUID(),
        reason: 'INSUFFICIENT_CREDIT' as const,
        amountCents: 100,
        currency: 'EUR',
      },
    });

    it('writes the event to the outbox when its transaction commits', async () => {
      const orderId = randomUUID();
      await inTransaction((tx) => store.addEvent(tx, failed(orderId)));
      const events = await paymentEvents(t.pool, orderId);
      expect(events.map((e) => [e.event_type, e.event.data.reason])).toEqual([
        ['payment.failed', 'INSUFFICIENT_CREDIT'],
      ]);
    });

    it('writes nothing when its transaction rolls back', async () => {
      const orderId = randomUUID();
      await expect(
        inTransaction(async (tx) => {
          await store.addEvent(tx, failed(orderId));
          throw new Error('the charge failed after the event was written');
        }),
      ).rejects.toThrow(/charge failed/);
      expect(await paymentEvents(t.pool, orderId)).toHaveLength(0);
    });
  });
});
