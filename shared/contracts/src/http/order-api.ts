import { type Static, Type } from 'typebox';
import { AmountCents, CurrencyCode, Sku } from '../events/common-schemas.ts';

/**
 * The order API as clients see it (through the gateway) and as the order service serves
 * it: one schema, so the two cannot disagree. Requests reject unknown fields; in
 * particular a client cannot send a price, prices are the catalogue's.
 */

const strict = { additionalProperties: false } as const;

export const Product = Type.Object(
  {
    sku: Sku,
    name: Type.String({ minLength: 1 }),
    priceCents: AmountCents('Price of one unit'),
    currency: CurrencyCode,
  },
  { title: 'Product' },
);
export type Product = Static<typeof Product>;

export const ProductList = Type.Object(
  { items: Type.Array(Product, { description: 'Cheapest first' }) },
  { title: 'ProductList' },
);
export type ProductList = Static<typeof ProductList>;

export const OrderItemInput = Type.Object(
  {
    sku: Sku,
    quantity: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { ...strict, title: 'OrderItemInput' },
);

export const PlaceOrderRequest = Type.Object(
  { items: Type.Array(OrderItemInput, { minItems: 1, maxItems: 100 }) },
  { ...strict, title: 'PlaceOrderRequest' },
);
export type PlaceOrderRequest = Static<typeof PlaceOrderRequest>;

/**
 * The headers of POST /orders. `Idempotency-Key` (IETF httpapi idempotency-key draft): a
 * unique value per order the client means to place, e.g. a UUID; plain or as a quoted
 * structured-field string. A retry with the same key and body gets the first response.
 */
export const PlaceOrderHeaders = Type.Object(
  {
    'idempotency-key': Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[!-~]+$',
      description:
        'Unique per order the client means to place (e.g. a UUID); visible ASCII, at most 255 characters',
    }),
  },
  { title: 'PlaceOrderHeaders' },
);

export const OrderStatus = Type.Union(
  [Type.Literal('PENDING'), Type.Literal('CONFIRMED'), Type.Literal('REJECTED')],
  { description: 'PENDING until billing answers; then CONFIRMED or REJECTED, for good' },
);
export type OrderStatus = Static<typeof OrderStatus>;

export const RejectionReason = Type.Union([Type.Literal('INSUFFICIENT_CREDIT')], {
  description: 'Why the order was rejected',
});

export const OrderLine = Type.Object(
  {
    sku: Sku,
    name: Type.String({ description: 'The product’s name when the order was placed' }),
    quantity: Type.Integer({ minimum: 1, maximum: 1000 }),
    unitPriceCents: AmountCents('Price of one unit when the order was placed'),
    lineTotalCents: AmountCents('quantity × unitPriceCents'),
  },
  { title: 'OrderLine' },
);

export const OrderHistoryEntry = Type.Object(
  {
    status: OrderStatus,
    at: Type.String({ format: 'date-time', description: 'When the order entered the status' }),
    reason: Type.Optional(RejectionReason),
  },
  { title: 'OrderHistoryEntry' },
);

export const Order = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: OrderStatus,
    items: Type.Array(OrderLine, { minItems: 1, maxItems: 100 }),
    totalCents: AmountCents('Sum of the line totals'),
    currency: CurrencyCode,
    reason: Type.Optional(RejectionReason),
    placedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    history: Type.Array(OrderHistoryEntry, {
      minItems: 1,
      description: 'Every status the order has had, oldest first',
    }),
  },
  { title: 'Order' },
);
export type Order = Static<typeof Order>;

export const OrderSummary = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: OrderStatus,
    itemCount: Type.Integer({ minimum: 1, description: 'Units over all lines' }),
    totalCents: AmountCents('Sum of the line totals'),
    currency: CurrencyCode,
    reason: Type.Optional(RejectionReason),
    placedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'OrderSummary' },
);
export type OrderSummary = Static<typeof OrderSummary>;

export const OrderListQuery = Type.Object(
  {
    limit: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 20,
      description: 'How many of the newest orders',
    }),
  },
  { ...strict, title: 'OrderListQuery' },
);

export const OrderList = Type.Object(
  { items: Type.Array(OrderSummary, { maxItems: 100, description: 'Newest first' }) },
  { title: 'OrderList' },
);
export type OrderList = Static<typeof OrderList>;

/**
 * The error codes of the order API beyond the kit's, with the status and problem title of
 * each: for the order service's catalogue (`defineErrors(orderApiErrors)`) and the
 * gateway's documentation of the routes it forwards.
 */
export const orderApiErrors = {
  /** The caller is known but may not order yet: 403, as for any permission it lacks. */
  EMAIL_NOT_VERIFIED: { status: 403, title: 'Email address not verified' },
  ORDER_NOT_FOUND: { status: 404, title: 'Order not found' },
  IDEMPOTENCY_KEY_IN_FLIGHT: {
    status: 409,
    title: 'A request with this Idempotency-Key is still being processed',
  },
  UNKNOWN_SKU: { status: 422, title: 'Unknown product' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency-Key already used for a different request',
  },
} as const;
