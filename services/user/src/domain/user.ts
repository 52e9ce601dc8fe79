/** The user as the domain sees it; the password hash never leaves the repository layer. */
export interface PostalAddress {
  readonly line1: string;
  readonly city: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2 */
  readonly country: string;
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly billingAddress: PostalAddress;
  readonly emailVerified: boolean;
  readonly createdAt: Date;
}

/** Emails are compared and stored trimmed and in lower case: one address, one account. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
