import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';

describe('password hasher', () => {
  const hasher = createPasswordHasher();

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored).not.toContain('correct horse');
    await expect(hasher.verify('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery stapler', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same password twice')).not.toBe(
      await hasher.hash('same password twice'),
    );
  });

  it('verifies a hash made with an older cost, as stored with it', async () => {
    const cheap = await createPasswordHasher({ N: 2 ** 10, r: 8, p: 1 }).hash(
      'old account password',
    );
    await expect(hasher.verify('old account password', cheap)).resolves.toBe(true);
  });

  it('refuses a malformed stored value instead of throwing', async () => {
    await expect(hasher.verify('anything', 'md5$abc')).resolves.toBe(false);
  });
});
