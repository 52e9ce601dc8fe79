/** A recipient we have not heard of yet: user.signed-up is still on its way. Retried later. */
export class UnknownRecipientError extends Error {
  constructor(userId: string) {
    super(`no recipient known for user ${userId} yet`);
    this.name = 'UnknownRecipientError';
  }
}
