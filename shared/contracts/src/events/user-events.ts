import { Type } from 'typebox';
import { EmailAddress, PostalAddress, Text, Uuid } from './common-schemas.ts';
import { defineEvent } from './define-event.ts';

/**
 * A new account exists. Carries what its consumers keep about a user: billing opens the
 * billing account (name, address), email keeps the recipient directory it needs to notify
 * about orders (email, name). The moment of sign-up is the envelope's `time`.
 *
 * Deliberately no verification token: it is a credential, and this event also reaches
 * billing's queue, DLQ and logs. It travels in `user.email-verification-requested`, which
 * only the email service receives (docs/adr/0033).
 */
export const userSignedUp = defineEvent({
  type: 'user.signed-up',
  version: 1,
  producer: 'user',
  summary: 'A user signed up',
  description:
    'Published in the sign-up transaction. Billing opens an account with the credit limit; email records the recipient.',
  data: Type.Object({
    userId: Uuid('The new user'),
    email: EmailAddress,
    name: Text({ maxLength: 200, description: 'Name as the user gave it' }),
    billingAddress: PostalAddress,
  }),
  example: {
    userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    billingAddress: {
      line1: '12 St James Sq',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    },
  },
});

/**
 * The user service wants a verification email sent. The token is the only copy in
 * plain text outside the email itself: the user service keeps a hash. Consumed by the
 * email service alone; also published again when a user asks for a new link.
 */
export const userEmailVerificationRequested = defineEvent({
  type: 'user.email-verification-requested',
  version: 1,
  producer: 'user',
  summary: 'A verification email must be sent',
  description:
    'Carries the one-time verification token for the link in the email. Only the email service subscribes.',
  data: Type.Object({
    userId: Uuid('The user whose address is to be verified'),
    email: EmailAddress,
    name: Text({ maxLength: 200 }),
    verificationToken: Type.String({
      pattern: '^[A-Za-z0-9_-]{32,128}$',
      description: 'One-time token (base64url) for POST /api/users/verify-email',
    }),
    expiresAt: Type.String({ format: 'date-time', description: 'When the token stops working' }),
  }),
  example: {
    userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    verificationToken: 'q2Zt7Yb0rD5x9VwHkL3mNcP8sUeA1fGjR4oTiQyX6Bz',
    expiresAt: '2026-01-02T10:00:00.000Z',
  },
});

/** The user proved they own their address; no consumer yet (audit trail). */
export const userEmailVerified = defineEvent({
  type: 'user.email-verified',
  version: 1,
  producer: 'user',
  summary: 'A user verified their email address',
  description: 'Published when a verification token is redeemed. No subscriber today (audit).',
  data: Type.Object({
    userId: Uuid('The user who verified their address'),
  }),
  example: { userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11' },
});
