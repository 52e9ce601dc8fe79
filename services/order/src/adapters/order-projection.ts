import { type PostgresClient, type PostgresPool, withTransaction } from '@storekeeper/platform';
import { type Order, type OrderEvent, replay } from '../domain/order.ts';

interface EventRow {
  order_id: string;
  version: number;
  type: OrderEvent['type'];
  data: OrderEvent['data'];
  occurred_at: Date;
}

export const eventColumns = 'order_id, version, type, data, occurred_at';

/** A stored event as the domain knows it; the store wrote it from the domain's own. */
export function toOrderEvent(row: EventRow): OrderEvent {
  return {
    orderId: row.order_id,
    version: row.version,
    type: row.type,
    data: row.data,
    occurredAt: row.occurred_at,
  } as OrderEvent;
}

/**
 * Writes the order into the read model (`orders`). An older version never overwrites a
 * newer one, so the live projection and a rebuild cannot undo each other.
 */
export async function projectOrder(tx: PostgresClient, order: Order): Promise<void> {
  await tx.query({
    name: 'order-project',
    text: `INSERT INTO orders (id, user_id, status, items, total_cents, currency, reason, placed_at, updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET
       status = EXCLUDED.status, items = EXCLUDED.items, total_cents = EXCLUDED.total_cents,
       currency = EXCLUDED.currency, reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at,
       version = EXCLUDED.version
     WHERE orders.version < EXCLUDED.version`,
    values: [
      order.id,
      order.userId,
      order.status,
      JSON.stringify(order.items),
      order.totalCents,
      order.currency,
      order.reason,
      order.placedAt,
      order.updatedAt,
      order.version,
    ],
  });
}

/** Orders replayed per round of a rebuild: memory stays bounded however many there are. */
const REBUILD_BATCH = 500;

/**
 * Throws the read model away and projects it again from order_events, in one transaction:
 * readers keep seeing the old rows until it commits, and writers (whose projection would
 * race the rebuild) wait for it. Resolves how many orders were projected.
 */
export async function rebuildOrdersReadModel(pool: PostgresPool): Promise<number> {
  return withTransaction(pool, async (tx) => {
    // EXCLUSIVE blocks writes to orders but not reads.
    await tx.query('LOCK TABLE orders IN EXCLUSIVE MODE');
    await tx.query('DELETE FROM orders');
    let projected = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await tx.query<EventRow>(
        `SELECT ${eventColumns} FROM order_events
          WHERE order_id IN (
            SELECT DISTINCT order_id FROM order_events WHERE order_id > $1 ORDER BY order_id LIMIT $2
          )
          ORDER BY order_id, version`,
        [after, REBUILD_BATCH],
      );
      if (rows.length === 0) return projected;
      for (const stream of groupByOrder(rows.map(toOrderEvent))) {
        const order = replay(stream);
        if (order) await projectOrder(tx, order);
        projected++;
      }
      after = rows[rows.length - 1]?.order_id ?? after;
    }
  });
}

function groupByOrder(events: readonly OrderEvent[]): OrderEvent[][] {
  const streams = new Map<string, OrderEvent[]>();
  for (const event of events) {
    const stream = streams.get(event.orderId) ?? [];
    stream.push(event);
    streams.set(event.orderId, stream);
  }
  return [...streams.values()];
}
