import { randomFillSync } from 'node:crypto';

/**
 * Hex digits from the system's CSPRNG, drawn 4 KiB at a time: trace and span ids need
 * randomness, not a call into the CSPRNG each. Drawn one at a time, the ids of a request
 * (a trace id, two span ids) cost more than the rest of its segment (ADR 0052).
 */
export function randomHex(length: number): string {
  if (pool.at + length > pool.hex.length) {
    pool.hex = randomFillSync(pool.bytes).toString('hex');
    pool.at = 0;
  }
  const hex = pool.hex.slice(pool.at, pool.at + length);
  pool.at += length;
  return hex;
}

const pool = { bytes: Buffer.alloc(4096), hex: '', at: 0 };
