import { createHash } from 'node:crypto';

/**
 * The rules of `Idempotency-Key` (IETF httpapi idempotency-key draft) for POST /orders:
 * keys are per user; the same key with the same body gets the first response, with
 * another body 422, while the first request still runs 409.
 */

/**
 * How long an in-flight claim may stand before another request with the key may take it
 * over: longer than any request can run (Fastify's request timeout is 30 s), so only the
 * claim of a process that died mid-request is ever taken over, and the client is not
 * answered 409 until the key expires.
 */
export const ABANDONED_CLAIM_MS = 60_000;

/**
 * The key as the client meant it: the draft sends it as a structured-field string
 * (`"8e03978e-…"`), many clients send it bare; both name the same key.
 */
export function normaliseIdempotencyKey(header: string): string {
  const quoted = /^"(.+)"$/.exec(header);
  return quoted?.[1] ?? header;
}

/**
 * JSON text with object keys sorted at every level, so two bodies that mean the same
 * (`{"sku":…,"quantity":…}` and `{"quantity":…,"sku":…}`) read the same. Array order is
 * kept: it is part of what a request means.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What identifies a request's body under its key: SHA-256 (hex) of its canonical JSON. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** A key as it is kept. */
export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly state: 'in-flight' | 'completed';
  /** The order the request created, once completed. */
  readonly orderId: string | null;
}

export type KeyVerdict =
  | { readonly outcome: 'replay'; readonly orderId: string }
  | { readonly outcome: 'in-flight' }
  | { readonly outcome: 'reused' };

/**
 * What a request finds when its key is taken. A different body is a client bug whatever
 * the first request's state, so it is refused first.
 */
export function judgeTakenKey(record: IdempotencyRecord, fingerprint: string): KeyVerdict {
  if (record.fingerprint !== fingerprint) return { outcome: 'reused' };
  if (record.state === 'in-flight' || !record.orderId) return { outcome: 'in-flight' };
  return { outcome: 'replay', orderId: record.orderId };
}
