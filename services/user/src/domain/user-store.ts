import type { User } from './user.ts';
import type { UserEvent } from './user-events.ts';

export interface NewAccount {
  readonly user: User;
  readonly passwordHash: string;
  readonly verification: { readonly tokenHash: Buffer; readonly expiresAt: Date };
  /** Published with the account: written to the outbox in the same transaction. */
  readonly events: readonly UserEvent[];
}

/**
 * What the user domain needs from storage. Each method is one transaction: the state
 * change and the events it publishes commit together or not at all.
 */
export interface UserStore {
  /** Resolves false when the (normalised) email is taken. */
  create(account: NewAccount): Promise<boolean>;
  findCredentials(
    email: string,
  ): Promise<{ readonly userId: string; readonly passwordHash: string } | undefined>;
  findById(id: string): Promise<User | undefined>;
  /**
   * Redeems an unused, unexpired token: marks it used and the user verified, and writes
   * the events built from the user's id. Resolves the user id, or undefined.
   */
  redeemVerification(
    tokenHash: Buffer,
    now: Date,
    events: (userId: string) => readonly UserEvent[],
  ): Promise<string | undefined>;
}
