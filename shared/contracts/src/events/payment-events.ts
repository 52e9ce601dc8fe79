import { Type } from 'typebox';
import { AmountCents, CurrencyCode, Uuid } from './common-schemas.ts';
import { defineEvent } from './define-event.ts';

/** Billing charged an order; the order service confirms it. */
export const paymentSucceeded = defineEvent({
  type: 'payment.succeeded',
  version: 1,
  producer: 'billing',
  summary: 'An order was charged',
  description: 'The charge was booked against the user’s credit. Order confirms the order.',
  data: Type.Object({
    orderId: Uuid('The order that was charged'),
    userId: Uuid('The user whose account was charged'),
    chargeId: Uuid('The charge in the billing account'),
    amountCents: AmountCents('The amount charged'),
    currency: CurrencyCode,
  }),
  example: {
    orderId: '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f',
    userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
    chargeId: '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4',
    amountCents: 2500,
    currency: 'EUR',
  },
});

/**
 * Billing could not charge an order; the order service rejects it. A missing billing
 * account is not a failure (the account is opened from user.signed-up, which may still be
 * on its way): billing retries that message instead.
 */
export const paymentFailed = defineEvent({
  type: 'payment.failed',
  version: 1,
  producer: 'billing',
  summary: 'An order could not be charged',
  description: 'No charge was booked. Order rejects the order with the same reason.',
  data: Type.Object({
    orderId: Uuid('The order that could not be charged'),
    userId: Uuid('The user'),
    reason: Type.Union([Type.Literal('INSUFFICIENT_CREDIT')], {
      description: 'Why the charge was refused',
    }),
    amountCents: AmountCents('The amount that was asked for'),
    currency: CurrencyCode,
  }),
  example: {
    orderId: '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f',
    userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
    reason: 'INSUFFICIENT_CREDIT',
    amountCents: 250000,
    currency: 'EUR',
  },
});
