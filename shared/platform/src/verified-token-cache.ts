import { hash } from 'node:crypto';

/** A token that passed verification: who it names and when it stops being valid. */
export interface VerifiedToken<T> {
  readonly value: T;
  /** The token's `exp`, in epoch milliseconds. */
  readonly expiresAtMs: number;
}

export interface VerifiedTokenCache<T> {
  /** The value of a token verified before, unless it has expired by `nowMs`. */
  get(token: string, nowMs: number): T | undefined;
  /** Keeps a token that has just been verified; one already expired is not kept. */
  set(token: string, verified: VerifiedToken<T>, nowMs: number): void;
  readonly size: number;
}

/**
 * Verified tokens, least recently used evicted past `maxEntries`. A Map iterates in
 * insertion order, so re-inserting on each hit keeps the oldest entry first.
 *
 * Keyed by the SHA-256 of the whole token: a token differing in any byte is another
 * key (never the `sub` or `kid`), and the cache does not hold bearer tokens themselves.
 * An entry is never served at or after the token's `exp`, whatever the clock tolerance
 * of the verifier: past `exp` the token is verified again, and refused once expired.
 */
export function createVerifiedTokenCache<T>(maxEntries: number): VerifiedTokenCache<T> {
  const entries = new Map<string, VerifiedToken<T>>();
  // One-shot hash: a Hash object per request costs more than the digest.
  const keyOf = (token: string) => hash('sha256', token, 'base64url');
  return {
    get(token, nowMs) {
      const key = keyOf(token);
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (nowMs >= entry.expiresAtMs) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(token, verified, nowMs) {
      if (maxEntries <= 0 || nowMs >= verified.expiresAtMs) return;
      const key = keyOf(token);
      entries.delete(key);
      entries.set(key, verified);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
