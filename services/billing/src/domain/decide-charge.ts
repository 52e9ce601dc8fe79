import type { EventData } from '@storekeeper/contracts';
import type { BillingAccount } from './billing-account.ts';

/** Why a charge is refused: the reasons payment.failed may carry. */
export type RefusalReason = EventData<'payment.failed'>['reason'];

export type ChargeDecision =
  | { readonly outcome: 'accepted'; readonly availableAfterCents: number }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason };

/**
 * Whether an account can pay an amount. A charge is all or nothing: an order over the
 * available credit is refused whole, never partly charged.
 */
export function decideCharge(
  account: Pick<BillingAccount, 'availableCents' | 'currency'>,
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
  if (amountCents > account.availableCents) {
    return { outcome: 'refused', reason: 'INSUFFICIENT_CREDIT' };
  }
  return { outcome: 'accepted', availableAfterCents: account.availableCents - amountCents };
}
