export interface Recipient {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
}

/**
 * Where each user's emails go, learnt from user.signed-up, so that an order notification
 * needs no call to the user service.
 */
export interface RecipientDirectory {
  save(recipient: Recipient): Promise<void>;
  /** Sees a recipient saved just before: an order event retried after sign-up must find it. */
  find(userId: string): Promise<Recipient | undefined>;
}
