import { randomUUID } from 'node:crypto';
import { describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createPostgresIdempotencyKeyStore } from '../../src/adapters/postgres-idempotency-key-store.ts';
import { idempotencyKeySweeper } from '../../src/workers/idempotency-key-sweeper.ts';
import { countRows, createOrderTestDatabase, logger, type OrderTestDatabase } from '../helper.ts';

const keys = createPostgresIdempotencyKeyStore();

describeWithBackends('the idempotency key sweeper', () => {
  let t: OrderTestDatabase;
  beforeAll(async () => {
    t = await createOrderTestDatabase();
    return () => t.close();
  });

  async function addKeys(userId: string, count: number, expiresAt: Date) {
    for (let i = 0; i < count; i++) {
      const now = new Date(expiresAt.getTime() - 1_000);
      await keys.claim(
        t.pool,
        { userId, key: randomUUID(), fingerprint: 'f', claimId: randomUUID() },
        { now, expiresAt, abandonedBefore: now },
      );
    }
  }
  const keysOf = (userId: string) =>
    countRows(t.pool, 'SELECT count(*) FROM idempotency_keys WHERE user_id = $1', [userId]);

  it('deletes every expired key, batch after batch, and keeps the live ones', async () => {
    const userId = randomUUID();
    await addKeys(userId, 5, new Date(Date.now() - 60_000));
    await addKeys(userId, 2, new Date(Date.now() + 3_600_000));
    const sweeper = idempotencyKeySweeper({ keys, db: t.pool, logger, batchSize: 2 });
    expect(await sweeper.sweepOnce()).toBe(5);
    expect(await keysOf(userId)).toBe(2);
  });

  it('runs as a worker: sweeps on start and on every interval, and stops', async () => {
    const userId = randomUUID();
    const sweeper = idempotencyKeySweeper({ keys, db: t.pool, logger, intervalMs: 50 });
    await sweeper.start();
    try {
      await addKeys(userId, 3, new Date(Date.now() - 60_000));
      await waitFor(async () => (await keysOf(userId)) === 0, {
        description: 'the expired keys swept by a later round',
      });
    } finally {
      await sweeper.stop();
    }
    expect(sweeper.role).toBe('intake');
  });
});
