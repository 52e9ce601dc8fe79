import { describe, expect, it } from 'vitest';
import { decideCharge } from '../../src/domain/decide-charge.ts';

const account = { currency: 'EUR', availableCents: 10_000 };

describe('decideCharge', () => {
  it('accepts a charge within the available credit', () => {
    expect(decideCharge(account, 10_000, 'EUR')).toEqual({
      outcome: 'accepted',
      availableAfterCents: 0,
    });
    expect(decideCharge(account, 0, 'EUR')).toEqual({
      outcome: 'accepted',
      availableAfterCents: 10_000,
    });
  });

  it('refuses a charge one cent over the available credit, whole', () => {
    expect(decideCharge(account, 10_001, 'EUR')).toEqual({
      outcome: 'refused',
      reason: 'INSUFFICIENT_CREDIT',
    });
  });

  it('refuses to mix currencies or charge odd amounts', () => {
    expect(() => decideCharge(account, 100, 'USD')).toThrow(/USD to an account kept in EUR/);
    expect(() => decideCharge(account, 1.5, 'EUR')).toThrow(/non-negative integers/);
    expect(() => decideCharge(account, -1, 'EUR')).toThrow(/non-negative integers/);
  });
});
