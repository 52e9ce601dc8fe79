import { describe, expect, it } from 'vitest';
import { type BillingAccount, decideCharge } from '../src/domain/billing-account.ts';

const account: BillingAccount = {
  userId: 'u-1',
  billingAddress: { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' },
  currency: 'EUR',
  creditLimitCents: 50_000,
  availableCents: 10_000,
  openedAt: new Date(),
};

describe('decideCharge', () => {
  it('accepts a charge within the available credit', () => {
    expect(decideCharge(account, 10_000, 'EUR')).toEqual({
      outcome: 'accepted',
      availableAfterCents: 0,
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
