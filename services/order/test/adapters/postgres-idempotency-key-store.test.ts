import { randomUUID } from 'node:crypto';
import { withTransaction } from '@storekeeper/platform';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createPostgresIdempotencyKeyStore } from '../../src/adapters/postgres-idempotency-key-store.ts';
import type { KeyClaim } from '../../src/domain/idempotency-key-store.ts';
import { countRows, createOrderTestDatabase, type OrderTestDatabase } from '../helper.ts';

const keys = createPostgresIdempotencyKeyStore();
const hour = 3_600_000;

describeWithBackends('the PostgreSQL idempotency key store', () => {
  let t: OrderTestDatabase;
  beforeAll(async () => {
    t = await createOrderTestDatabase();
    return () => t.close();
  });

  const claimOf = (over: Partial<KeyClaim> = {}): KeyClaim => ({
    userId: randomUUID(),
    key: randomUUID(),
    fingerprint: 'f1',
    claimId: randomUUID(),
    ...over,
  });
  const at = (now: Date) => ({
    now,
    expiresAt: new Date(now.getTime() + 24 * hour),
    abandonedBefore: new Date(now.getTime() - 60_000),
  });

  it('claims a free key once; the next request finds it in flight, then completed', async () => {
    const now = new Date();
    const first = claimOf();
    const second = { ...first, claimId: randomUUID() };
    expect(await keys.claim(t.pool, first, at(now))).toEqual({ outcome: 'claimed' });
    expect(await keys.claim(t.pool, second, at(now))).toEqual({
      outcome: 'taken',
      record: { fingerprint: 'f1', state: 'in-flight', orderId: null },
    });
    const orderId = randomUUID();
    expect(await withTransaction(t.pool, (tx) => keys.complete(tx, first, orderId))).toBe(true);
    expect(await keys.claim(t.pool, second, at(now))).toEqual({
      outcome: 'taken',
      record: { fingerprint: 'f1', state: 'completed', orderId },
    });
  });

  it('keeps keys per user', async () => {
    const now = new Date();
    const claim = claimOf();
    await keys.claim(t.pool, claim, at(now));
    const other = { ...claim, userId: randomUUID(), claimId: randomUUID() };
    expect(await keys.claim(t.pool, other, at(now))).toEqual({ outcome: 'claimed' });
  });

  it('releases only its own claim, and only while in flight', async () => {
    const now = new Date();
    const claim = claimOf();
    await keys.claim(t.pool, claim, at(now));
    await keys.release(t.pool, { ...claim, claimId: randomUUID() });
    expect((await keys.claim(t.pool, { ...claim, claimId: randomUUID() }, at(now))).outcome).toBe(
      'taken',
    );
    await keys.release(t.pool, claim);
    expect(await keys.claim(t.pool, claimOf({ ...claim, claimId: randomUUID() }), at(now))).toEqual(
      { outcome: 'claimed' },
    );
  });

  it('takes over an expired key, whatever its body was', async () => {
    const then = new Date(Date.now() - 25 * hour);
    const old = claimOf();
    await keys.claim(t.pool, old, at(then));
    await withTransaction(t.pool, (tx) => keys.complete(tx, old, randomUUID()));
    const fresh = { ...old, claimId: randomUUID(), fingerprint: 'f2' };
    expect(await keys.claim(t.pool, fresh, at(new Date()))).toEqual({ outcome: 'claimed' });
  });

  it('takes over a claim abandoned in flight; the old claim can then not complete', async () => {
    const crashed = claimOf();
    await keys.claim(t.pool, crashed, at(new Date(Date.now() - 2 * 60_000)));
    const retry = { ...crashed, claimId: randomUUID() };
    expect(await keys.claim(t.pool, retry, at(new Date()))).toEqual({ outcome: 'claimed' });
    expect(await withTransaction(t.pool, (tx) => keys.complete(tx, crashed, randomUUID()))).toBe(
      false,
    );
    expect(await withTransaction(t.pool, (tx) => keys.complete(tx, retry, randomUUID()))).toBe(
      true,
    );
  });

  it('deletes expired keys in batches and leaves the others', async () => {
    const userId = randomUUID();
    const past = new Date(Date.now() - 25 * hour);
    for (let i = 0; i < 5; i++) await keys.claim(t.pool, claimOf({ userId }), at(past));
    await keys.claim(t.pool, claimOf({ userId }), at(new Date()));
    const now = new Date();
    const batches = [];
    for (let batch = 2; batch === 2; ) {
      batch = await keys.deleteExpired(t.pool, now, 2);
      batches.push(batch);
    }
    expect(batches).toEqual([2, 2, 1]);
    expect(
      await countRows(t.pool, 'SELECT count(*) FROM idempotency_keys WHERE user_id = $1', [userId]),
    ).toBe(1);
  });
});
