/**
 * Password rules, after NIST SP 800-63B: length is what matters; no composition rules,
 * but no password that is the account's own email or a well-known one. The upper bound
 * keeps the hashing cost of one request bounded.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

const common = new Set([
  'password1234',
  '123456789012',
  'qwertyuiop12',
  'iloveyou1234',
  'letmein12345',
  'passwordpassword',
  'correcthorsebatterystaple',
  'administrator',
  'welcome12345',
]);

/** The reason a password is refused, or undefined when it is acceptable. */
export function passwordWeakness(password: string, email: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (new Set(lower).size < 5) return 'must use at least 5 different characters';
  if (common.has(lower)) return 'is too common';
  const localPart = email.split('@')[0]?.toLowerCase() ?? '';
  if (localPart.length >= 4 && lower.includes(localPart))
    return 'must not contain the email address';
  return undefined;
}
