import type { PostgresClient, PostgresPool } from '@storekeeper/platform';
import type { EventHandler, EventHandlers } from '../../src/consumer/create-event-consumer.ts';

/**
 * Billing's handlers for tests: each writes one row to `effects` on the inbox transaction.
 * The table has no unique key, so an effect that happened twice shows up as two rows.
 */
export async function createEffectsTable(pool: PostgresPool): Promise<void> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS effects (event_id text NOT NULL, event_type text NOT NULL,
     at timestamptz NOT NULL DEFAULT now())`,
  );
}

export async function effectsOf(pool: PostgresPool, eventId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM effects WHERE event_id = $1',
    [eventId],
  );
  return rows[0]?.n ?? 0;
}

type Hook = (eventId: string) => Promise<void> | void;

export function recordingHandlers(
  hooks: { before?: Hook } = {},
): EventHandlers<'billing', PostgresClient> & { calls: string[] } {
  const calls: string[] = [];
  // Generic rather than one handler of the union: each entry is an instantiation of it.
  const handler = async <T extends 'user.signed-up' | 'order.placed'>(
    ...[event, { tx }]: Parameters<EventHandler<T, PostgresClient>>
  ): Promise<void> => {
    calls.push(event.id);
    await hooks.before?.(event.id);
    await tx.query('INSERT INTO effects (event_id, event_type) VALUES ($1, $2)', [
      event.id,
      event.type,
    ]);
  };
  return { 'user.signed-up': handler, 'order.placed': handler, calls };
}
