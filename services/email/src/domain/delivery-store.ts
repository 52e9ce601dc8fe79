import type { SendResult } from './mailer.ts';

export interface Delivery {
  /** The event that caused it: one delivery per event. */
  readonly eventId: string;
  readonly kind: string;
  readonly to: string;
  readonly subject: string;
  /** Kept only where the dev mailbox is on: bodies carry one-time tokens. */
  readonly text?: string;
  readonly html?: string;
  readonly status: SendResult['status'];
  readonly providerMessageId?: string;
  readonly createdAt: string;
}

/** Every email the service sent (or recorded), read back by address for the dev mailbox. */
export interface DeliveryStore {
  record(delivery: Delivery): Promise<void>;
  /** Newest first. */
  listFor(to: string, limit?: number): Promise<Delivery[]>;
}
