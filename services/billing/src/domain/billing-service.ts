import { retryLater } from '@storekeeper/messaging/retry-later';
import { billingErrors } from '../errors.ts';
import type { AccountView, PostalAddress } from './billing-account.ts';
import type { BillingStore } from './billing-store.ts';
import { type ChargeDecision, decideCharge } from './decide-charge.ts';

/** What every newly opened account gets. */
export interface AccountDefaults {
  readonly creditLimitCents: number;
  /** ISO 4217; every account and every charge is kept in it. */
  readonly currency: string;
}

export interface SignedUpUser {
  readonly userId: string;
  readonly billingAddress: PostalAddress;
}

export interface OrderToCharge {
  readonly orderId: string;
  readonly userId: string;
  readonly amountCents: number;
  readonly currency: string;
}

export type ChargeOutcome =
  | (Extract<ChargeDecision, { outcome: 'accepted' }> & { readonly chargeId: string })
  | Extract<ChargeDecision, { outcome: 'refused' }>;

export interface BillingServiceDeps<Tx, Db> {
  readonly store: BillingStore<Tx, Db>;
  readonly accountDefaults: AccountDefaults;
  readonly newId: () => string;
}

/** Billing's operations; `tx` and `db` are the store's (see BillingStore), passed through. */
export interface BillingService<Tx, Db = Tx> {
  /** Opens a signed-up user's account on `tx`; opening it again changes nothing. */
  openAccount(tx: Tx, user: SignedUpUser): Promise<void>;
  /**
   * Charges an order all or nothing on `tx` and writes payment.succeeded or payment.failed
   * on it. While the account does not exist yet (user.signed-up not handled) it throws
   * `retryLater`: not a payment failure, the event comes back until the account is there.
   */
  chargeOrder(tx: Tx, order: OrderToCharge): Promise<ChargeOutcome>;
  /** The user's account and newest charges; NotFoundError when there is none. */
  accountView(db: Db, userId: string): Promise<AccountView>;
}

/** The account view's list; the API allows up to 20. */
const RECENT_CHARGES = 10;

export function createBillingService<Tx, Db = Tx>(
  deps: BillingServiceDeps<Tx, Db>,
): BillingService<Tx, Db> {
  const { store } = deps;
  return {
    async openAccount(tx, user) {
      const { creditLimitCents, currency } = deps.accountDefaults;
      // A new account starts with its whole credit available.
      await store.openAccount(tx, {
        userId: user.userId,
        billingAddress: user.billingAddress,
        currency,
        creditLimitCents,
        availableCents: creditLimitCents,
      });
    },

    async chargeOrder(tx, order) {
      const account = await store.lockAccount(tx, order.userId);
      if (!account) throw retryLater(`no billing account for user ${order.userId} yet`);
      const { orderId, userId, amountCents, currency } = order;
      const decision = decideCharge(account, amountCents, currency);
      if (decision.outcome === 'refused') {
        await store.addEvent(tx, {
          type: 'payment.failed',
          data: { orderId, userId, reason: decision.reason, amountCents, currency },
        });
        return decision;
      }
      const chargeId = deps.newId();
      await store.recordCharge(
        tx,
        { id: chargeId, orderId, userId, amountCents, currency },
        decision.availableAfterCents,
      );
      await store.addEvent(tx, {
        type: 'payment.succeeded',
        data: { orderId, userId, chargeId, amountCents, currency },
      });
      return { ...decision, chargeId };
    },

    async accountView(db, userId) {
      const view = await store.findAccount(db, userId, RECENT_CHARGES);
      if (!view) {
        // Also the answer in the moments between sign-up and user.signed-up being handled.
        throw billingErrors.create(
          'BILLING_ACCOUNT_NOT_FOUND',
          'There is no billing account for this user',
        );
      }
      return view;
    },
  };
}
