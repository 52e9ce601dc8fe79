import { type PostgresClient, type PostgresPool, withTransaction } from '@storekeeper/platform';
import type { Inbox } from './inbox.ts';

/**
 * The inbox of a PostgreSQL service (table `inbox`, sql/outbox-inbox.sql). The event's row
 * is inserted first in the handler's transaction: a second delivery running at the same
 * time waits on that row's key until the first commits (then sees a duplicate) or rolls
 * back (then does the work itself). The handler's writes, its outbox events and the inbox
 * row commit together.
 */
export function createPostgresInbox(pool: PostgresPool): Inbox<PostgresClient> {
  return {
    runOnce(entry, effect) {
      return withTransaction(pool, async (tx) => {
        const { rowCount } = await tx.query({
          name: 'storekeeper-inbox-insert',
          text: `INSERT INTO inbox (event_source, event_id, event_type) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING`,
          values: [entry.source, entry.id, entry.type],
        });
        if (rowCount === 0) return 'duplicate' as const;
        await effect(tx);
        return 'processed' as const;
      });
    },
  };
}
