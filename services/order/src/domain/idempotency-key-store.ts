import type { IdempotencyRecord } from './idempotency.ts';

/** A request's hold on its key. */
export interface KeyClaim {
  readonly userId: string;
  readonly key: string;
  readonly fingerprint: string;
  /** Unique per request: only the request that claimed the key can complete or release it. */
  readonly claimId: string;
}

export type ClaimOutcome =
  | { readonly outcome: 'claimed' }
  | { readonly outcome: 'taken'; readonly record: IdempotencyRecord };

/**
 * Where Idempotency-Keys are kept (see idempotency.ts for the rules). `Tx` and `Db` as in
 * OrderStore.
 */
export interface IdempotencyKeyStore<Tx, Db = Tx> {
  /**
   * Claims the key for this request and commits at once, so a concurrent request with the
   * same key sees the claim. A key expired by `now`, or a claim in flight since before
   * `abandonedBefore`, is taken over; any other existing key is answered as `taken`.
   */
  claim(
    db: Db,
    claim: KeyClaim,
    times: { readonly now: Date; readonly expiresAt: Date; readonly abandonedBefore: Date },
  ): Promise<ClaimOutcome>;
  /**
   * Marks the claim completed with the order it created, on the transaction that creates
   * the order. False when the claim is no longer this request's (it was taken over).
   */
  complete(tx: Tx, claim: KeyClaim, orderId: string): Promise<boolean>;
  /** Deletes the claim if still in flight, so the client can retry with the key. */
  release(db: Db, claim: KeyClaim): Promise<void>;
  /** Deletes up to `limit` keys expired by `now`; resolves how many. */
  deleteExpired(db: Db, now: Date, limit: number): Promise<number>;
}
