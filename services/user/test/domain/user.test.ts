import { describe, expect, it } from 'vitest';
import { normaliseEmail } from '../../src/domain/user.ts';

describe('normaliseEmail', () => {
  it('makes addresses that differ only in case and surrounding space the same', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
  });
});
