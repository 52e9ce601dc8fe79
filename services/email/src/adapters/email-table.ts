/**
 * The layout of the email service's one DynamoDB table (`email-deliveries`, declared in
 * src/service.ts). Stored items and other code depend on it, so it changes only with a
 * migration of the data:
 *
 * - `delivery#<event id>`: one per email; only these carry `recipient`, the partition key
 *   of the `by-recipient` index (sorted by `createdAt`) that the dev mailbox reads;
 * - `recipient#<user id>`: the recipient directory, filled from user.signed-up;
 * - `inbox#<source>#<event id>`: the inbox's claims on events (dynamo-inbox.ts). Only these
 *   carry `expiresAt` (epoch seconds), the table's time-to-live attribute: DynamoDB deletes
 *   a claim once it has passed, as the PostgreSQL services' inbox sweepers do their rows.
 */
export const emailTable = {
  deliveryId: (eventId: string) => `delivery#${eventId}`,
  recipientId: (userId: string) => `recipient#${userId}`,
  inboxClaimId: (source: string, eventId: string) => `inbox#${source}#${eventId}`,
  byRecipientIndex: 'by-recipient',
  expiresAt: 'expiresAt',
} as const;
