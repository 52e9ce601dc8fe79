import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  judgeTakenKey,
  normaliseIdempotencyKey,
  requestFingerprint,
} from '../../src/domain/idempotency.ts';

describe('idempotency', () => {
  it('reads a key sent bare or as a structured-field string as the same key', () => {
    expect(normaliseIdempotencyKey('"8e03978e-40d5"')).toBe('8e03978e-40d5');
    expect(normaliseIdempotencyKey('8e03978e-40d5')).toBe('8e03978e-40d5');
    expect(normaliseIdempotencyKey('"')).toBe('"');
    expect(normaliseIdempotencyKey('""')).toBe('""');
  });

  it('writes JSON with sorted keys at every level and arrays in their order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 'é' }, null], c: undefined })).toBe(
      '{"a":[{"x":"é","y":2},null],"b":1}',
    );
  });

  it('fingerprints bodies that mean the same alike, and any other body differently', () => {
    const body = {
      items: [
        { sku: 'MUG-BLUE', quantity: 2 },
        { sku: 'HOODIE-GREY', quantity: 1 },
      ],
    };
    const fingerprint = requestFingerprint(body);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(
      requestFingerprint({
        items: [
          { quantity: 2, sku: 'MUG-BLUE' },
          { quantity: 1, sku: 'HOODIE-GREY' },
        ],
      }),
    ).toBe(fingerprint);
    const others = [
      {
        items: [
          { sku: 'MUG-BLUE', quantity: 3 },
          { sku: 'HOODIE-GREY', quantity: 1 },
        ],
      },
      {
        items: [
          { sku: 'HOODIE-GREY', quantity: 1 },
          { sku: 'MUG-BLUE', quantity: 2 },
        ],
      },
      { items: [{ sku: 'MUG-BLUE', quantity: 2 }] },
    ];
    for (const other of others) expect(requestFingerprint(other)).not.toBe(fingerprint);
  });

  it('judges a taken key: another body is reuse, then in flight, then a replay', () => {
    const completed = { fingerprint: 'f', state: 'completed', orderId: 'o-1' } as const;
    const inFlight = { fingerprint: 'f', state: 'in-flight', orderId: null } as const;
    expect(judgeTakenKey(completed, 'f')).toEqual({ outcome: 'replay', orderId: 'o-1' });
    expect(judgeTakenKey(inFlight, 'f')).toEqual({ outcome: 'in-flight' });
    expect(judgeTakenKey(completed, 'g')).toEqual({ outcome: 'reused' });
    expect(judgeTakenKey(inFlight, 'g')).toEqual({ outcome: 'reused' });
  });
});
