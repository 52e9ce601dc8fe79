import type { PostgresClient } from '@storekeeper/platform';
import type { IdempotencyRecord } from '../domain/idempotency.ts';
import type { IdempotencyKeyStore } from '../domain/idempotency-key-store.ts';
import type { PostgresReader } from './postgres-order-store.ts';

interface KeyRow {
  request_hash: string;
  state: IdempotencyRecord['state'];
  order_id: string | null;
}

/** Claims that vanish between the INSERT and the SELECT (released) are tried again. */
const CLAIM_ATTEMPTS = 3;

/** The Idempotency-Key records of POST /orders (table idempotency_keys). */
export function createPostgresIdempotencyKeyStore(): IdempotencyKeyStore<
  PostgresClient,
  PostgresReader
> {
  return {
    async claim(db, claim, { now, expiresAt, abandonedBefore }) {
      for (let attempt = 1; ; attempt++) {
        // One statement, committed on its own: a concurrent request with the key waits on
        // the row's lock for a moment and then sees the claim.
        const claimed = await db.query({
          name: 'order-idempotency-claim',
          text: `INSERT INTO idempotency_keys AS k
             (user_id, key, request_hash, claim_id, state, created_at, expires_at)
           VALUES ($1, $2, $3, $4, 'in-flight', $5, $6)
           ON CONFLICT (user_id, key) DO UPDATE SET
             request_hash = EXCLUDED.request_hash, claim_id = EXCLUDED.claim_id,
             state = 'in-flight', order_id = NULL,
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
           WHERE k.expires_at <= $5 OR (k.state = 'in-flight' AND k.created_at <= $7)`,
          values: [
            claim.userId,
            claim.key,
            claim.fingerprint,
            claim.claimId,
            now,
            expiresAt,
            abandonedBefore,
          ],
        });
        if (claimed.rowCount === 1) return { outcome: 'claimed' };
        const { rows } = await db.query<KeyRow>(
          'SELECT request_hash, state, order_id FROM idempotency_keys WHERE user_id = $1 AND key = $2',
          [claim.userId, claim.key],
        );
        const row = rows[0];
        if (row) {
          return {
            outcome: 'taken',
            record: { fingerprint: row.request_hash, state: row.state, orderId: row.order_id },
          };
        }
        if (attempt >= CLAIM_ATTEMPTS)
          throw new Error(`could not claim idempotency key ${claim.key}`);
      }
    },

    async complete(tx, claim, orderId) {
      const { rowCount } = await tx.query({
        name: 'order-idempotency-complete',
        text: `UPDATE idempotency_keys SET state = 'completed', order_id = $4
                WHERE user_id = $1 AND key = $2 AND claim_id = $3 AND state = 'in-flight'`,
        values: [claim.userId, claim.key, claim.claimId, orderId],
      });
      return rowCount === 1;
    },

    async release(db, claim) {
      await db.query(
        `DELETE FROM idempotency_keys
          WHERE user_id = $1 AND key = $2 AND claim_id = $3 AND state = 'in-flight'`,
        [claim.userId, claim.key, claim.claimId],
      );
    },

    async deleteExpired(db, now, limit) {
      // SKIP LOCKED: two tasks sweeping at once share the work instead of waiting.
      const { rowCount } = await db.query(
        `DELETE FROM idempotency_keys WHERE (user_id, key) IN (
           SELECT user_id, key FROM idempotency_keys WHERE expires_at <= $1
            ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [now, limit],
      );
      return rowCount ?? 0;
    },
  };
}
