import {
  type BatchSweeper,
  createBatchSweeper,
  type PostgresClient,
  type PostgresPool,
  withTransaction,
} from '@storekeeper/platform';
import type { Logger } from 'pino';
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

/**
 * How long inbox rows are kept: longer than any redelivery can come (queue retention 4
 * days, the DLQ's 14 days plus a redrive), ADR 0034.
 */
export const inboxRetentionMs = 15 * 24 * 60 * 60_000;

/**
 * Deletes inbox rows past `retentionMs` in the background, in batches; without it the
 * inbox gains a row per event handled, for ever. Every task sweeps; SKIP LOCKED lets them
 * share the work.
 */
export function postgresInboxSweeper(
  pool: PostgresPool,
  logger: Logger,
  options: { readonly retentionMs?: number; readonly intervalMs?: number } = {},
): BatchSweeper {
  const retentionMs = options.retentionMs ?? inboxRetentionMs;
  return createBatchSweeper({
    name: 'inbox sweeper',
    what: 'inbox rows past their retention',
    logger: logger.child({ component: 'inbox-sweeper' }),
    intervalMs: options.intervalMs ?? 10 * 60_000,
    deleteBatch: async (limit) => {
      const { rowCount } = await pool.query({
        name: 'storekeeper-inbox-sweep',
        text: `DELETE FROM inbox WHERE (event_source, event_id) IN (
                 SELECT event_source, event_id FROM inbox
                  WHERE processed_at < now() - make_interval(secs => $1 / 1000.0)
                  ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        values: [retentionMs, limit],
      });
      return rowCount ?? 0;
    },
  });
}
