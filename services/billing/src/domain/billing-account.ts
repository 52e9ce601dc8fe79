export interface PostalAddress {
  readonly line1: string;
  readonly city: string;
  readonly postalCode: string;
  readonly country: string;
}

export interface BillingAccount {
  readonly userId: string;
  readonly billingAddress: PostalAddress;
  readonly currency: string;
  readonly creditLimitCents: number;
  readonly availableCents: number;
  readonly openedAt: Date;
}

export interface Charge {
  readonly id: string;
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly chargedAt: Date;
}

export type ChargeDecision =
  | { readonly outcome: 'accepted'; readonly availableAfterCents: number }
  | { readonly outcome: 'refused'; readonly reason: 'INSUFFICIENT_CREDIT' };

/**
 * Whether an account can pay an amount. A charge is all or nothing: an order over the
 * available credit is refused whole, never partly charged.
 */
export function decideCharge(
  account: BillingAccount,
  amountCents: number,
  currency: string,
): ChargeDecision {
  if (currency !== account.currency) {
    // The catalogue and the accounts share one currency; anything else is a bug upstream.
    throw new Error(`cannot charge ${currency} to an account kept in ${account.currency}`);
  }
  if (!Number.isInteger(amountCents) || amountCents < 0) {
    throw new Error(`cannot charge ${amountCents}: amounts are non-negative integers`);
  }
  if (amountCents > account.availableCents)
    return { outcome: 'refused', reason: 'INSUFFICIENT_CREDIT' };
  return { outcome: 'accepted', availableAfterCents: account.availableCents - amountCents };
}
