import { describe, expect, it } from 'vitest';
import { passwordWeakness } from '../../src/domain/password-policy.ts';

describe('password policy', () => {
  it.each([
    ['short', 'Tr0ub4dor&3', 'must be at least 12 characters'],
    ['too long', 'x'.repeat(64) + 'y'.repeat(65), 'must be at most 128 characters'],
    ['one repeated character', 'aaaaaaaaaaaaaaaa', 'must use at least 5 different characters'],
    ['a well-known password', 'Password1234', 'is too common'],
    ['containing the email', 'ada.lovelace-2026!', 'must not contain the email address'],
  ])('refuses a password that is %s', (_label, password, reason) => {
    expect(passwordWeakness(password, 'ada.lovelace@example.com')).toBe(reason);
  });

  it('accepts a long passphrase without composition rules', () => {
    expect(passwordWeakness('purple monkey dishwasher', 'ada@example.com')).toBeUndefined();
  });

  it('counts characters, not UTF-16 units', () => {
    expect(passwordWeakness('🔑🔒🗝️🔐🛡️🚪', 'ada@example.com')).toBe(
      'must be at least 12 characters',
    );
  });
});
