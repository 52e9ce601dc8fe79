import type {
  BillingAccount as BillingAccountResponse,
  Charge as ChargeResponse,
  PostalAddress as PostalAddressSchema,
} from '@storekeeper/contracts';
import type { Static } from 'typebox';

/** The billing address, exactly as the user entered it at sign-up (contracts own its shape). */
export type PostalAddress = Readonly<Static<typeof PostalAddressSchema>>;

/**
 * The account as billing keeps it: the API's account without its list of charges, and
 * with a real date, since the domain compares and orders dates while the API sends text.
 */
export type BillingAccount = Readonly<
  Omit<BillingAccountResponse, 'recentCharges' | 'openedAt'> & { openedAt: Date }
>;

/** A booked charge: the API's charge plus the id payment.succeeded announces. */
export type Charge = Readonly<
  Omit<Static<typeof ChargeResponse>, 'chargedAt'> & { id: string; chargedAt: Date }
>;

/** What an account holder sees: the account and its newest charges, newest first. */
export interface AccountView {
  readonly account: BillingAccount;
  readonly recentCharges: readonly Charge[];
}
