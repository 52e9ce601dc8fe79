/** What an inbox needs to know about an event to recognise it again. */
export interface InboxEntry {
  readonly source: string;
  readonly id: string;
  readonly type: string;
}

/**
 * Makes a handler's effect happen once per event however often the event arrives. The
 * inbox records the event in the same transaction as the effect (`Tx` is that
 * transaction: a PostgreSQL client, or later a DynamoDB transaction builder), so either
 * both happen or neither does.
 */
export interface Inbox<Tx> {
  /** Runs `effect` unless the event was processed before; says which happened. */
  runOnce(entry: InboxEntry, effect: (tx: Tx) => Promise<void>): Promise<'processed' | 'duplicate'>;
}
