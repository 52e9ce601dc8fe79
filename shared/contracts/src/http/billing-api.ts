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
