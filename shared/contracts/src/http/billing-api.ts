import { type Static, Type } from 'typebox';
import { AmountCents, CurrencyCode, PostalAddress } from '../events/common-schemas.ts';

export const Charge = Type.Object(
  {
    orderId: Type.String({ format: 'uuid' }),
    amountCents: AmountCents('Amount charged'),
    currency: CurrencyCode,
    chargedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Charge' },
);

export const BillingAccount = Type.Object(
  {
    userId: Type.String({ format: 'uuid' }),
    billingAddress: PostalAddress,
    currency: CurrencyCode,
    creditLimitCents: AmountCents('Credit limit'),
    availableCents: AmountCents('Credit still available'),
    recentCharges: Type.Array(Charge, { maxItems: 20, description: 'Newest first' }),
    openedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'BillingAccount' },
);
export type BillingAccount = Static<typeof BillingAccount>;

/**
 * The error codes of the billing API beyond the kit's, with the status and problem title of
 * each: for the billing service's catalogue (`defineErrors(billingApiErrors)`) and the
 * gateway's documentation of the routes it forwards.
 */
export const billingApiErrors = {
  BILLING_ACCOUNT_NOT_FOUND: { status: 404, title: 'Billing account not found' },
} as const;
