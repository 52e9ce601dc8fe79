import { Type } from 'typebox';
import { AmountCents, CurrencyCode, Sku, Uuid } from './common-schemas.ts';
import { defineEvent } from './define-event.ts';

const OrderLine = Type.Object({
  sku: Sku,
  quantity: Type.Integer({ minimum: 1, maximum: 1000 }),
  unitPriceCents: AmountCents('Price of one unit when the order was placed'),
});

/** An order was accepted as PENDING; billing charges it. */
export const orderPlaced = defineEvent({
  type: 'order.placed',
  version: 1,
  producer: 'order',
  summary: 'An order was placed',
  description:
    'Published with the PENDING order. Billing charges totalCents against the user’s credit and answers with payment.succeeded or payment.failed.',
  data: Type.Object({
    orderId: Uuid('The order'),
    userId: Uuid('The user who placed it'),
    items: Type.Array(OrderLine, { minItems: 1, maxItems: 100 }),
    totalCents: AmountCents('Sum of quantity × unitPriceCents over the items'),
    currency: CurrencyCode,
  }),
  example: {
    orderId: '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f',
    userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
    items: [{ sku: 'MUG-BLUE', quantity: 2, unitPriceCents: 1250 }],
    totalCents: 2500,
    currency: 'EUR',
  },
});

/** The order's payment succeeded and it is final; email notifies the user. */
export const orderConfirmed = defineEvent({
  type: 'order.confirmed',
  version: 1,
  producer: 'order',
  summary: 'An order was confirmed',
  description: 'The order moved PENDING → CONFIRMED. Email sends the confirmation.',
  data: Type.Object({
    orderId: Uuid('The order'),
    userId: Uuid('Its owner, the recipient of the notification'),
    totalCents: AmountCents('What was charged'),
    currency: CurrencyCode,
  }),
  example: {
    orderId: '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f',
    userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
    totalCents: 2500,
    currency: 'EUR',
  },
});

/** The order could not be paid; email tells the user why. */
export const orderRejected = defineEvent({
  type: 'order.rejected',
  version: 1,
  producer: 'order',
  summary: 'An order was rejected',
  description: 'The order moved PENDING → REJECTED. Email tells the user the reason.',
  data: Type.Object({
    orderId: Uuid('The order'),
    userId: Uuid('Its owner, the recipient of the notification'),
    reason: Type.Union([Type.Literal('INSUFFICIENT_CREDIT')], {
      description: 'Why; the same code the public API shows on the order',
    }),
    totalCents: AmountCents('What would have been charged'),
    currency: CurrencyCode,
  }),
  example: {
    orderId: '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f',
    userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
    reason: 'INSUFFICIENT_CREDIT',
    totalCents: 250000,
    currency: 'EUR',
  },
});
