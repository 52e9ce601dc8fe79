import type { AccountView, BillingAccount, Charge } from './billing-account.ts';
import type { BillingEvent } from './billing-events.ts';

/** A new account: the domain decides every value but the opening time. */
export type NewAccount = Omit<BillingAccount, 'openedAt'>;

export type NewCharge = Omit<Charge, 'chargedAt'> & { readonly userId: string };

/**
 * What the billing domain needs from storage. The domain holds no connection: the caller
 * hands one in and the domain only passes it back, so it needs no database types.
 *
 * - `Tx` is a transaction. Event handlers hand in the consumer's inbox transaction: the
 *   account lock holds until it ends, and the charge, the new balance, the payment event
 *   and the inbox row commit together or not at all.
 * - `Db` is where reads run: the pool, or a transaction.
 */
export interface BillingStore<Tx, Db = Tx> {
  /** Opens the account; changes nothing when the user has one already. */
  openAccount(tx: Tx, account: NewAccount): Promise<void>;
  /**
   * The account, locked until `tx` ends: two charges of one user are decided one after
   * the other, each against the balance the other left.
   */
  lockAccount(tx: Tx, userId: string): Promise<BillingAccount | undefined>;
  /**
   * Books the charge and sets the account's available credit to the amount given. An
   * order is booked once: a second charge for it fails (the unique key behind the inbox).
   */
  recordCharge(tx: Tx, charge: NewCharge, availableAfterCents: number): Promise<void>;
  /** Writes the event to the outbox: published if and only if `tx` commits. */
  addEvent(tx: Tx, event: BillingEvent): Promise<void>;
  /** The account with up to `recentCharges` of its newest charges, newest first. */
  findAccount(db: Db, userId: string, recentCharges: number): Promise<AccountView | undefined>;
}
