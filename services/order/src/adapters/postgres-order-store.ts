import type { Outbox } from '@storekeeper/messaging';
import type { PostgresClient, PostgresPool } from '@storekeeper/platform';
import type { Order, OrderLine } from '../domain/order.ts';
import type { Product } from '../domain/order-pricing.ts';
import { type OrderStore, VersionConflictError } from '../domain/order-store.ts';
import { eventColumns, projectOrder, toOrderEvent } from './order-projection.ts';

interface OrderRow {
  id: string;
  user_id: string;
  status: Order['status'];
  items: OrderLine[];
  total_cents: string;
  currency: string;
  reason: Order['reason'];
  placed_at: Date;
  updated_at: Date;
  version: number;
}

interface ProductRow {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
}

const orderColumns =
  'id, user_id, status, items, total_cents, currency, reason, placed_at, updated_at, version';

// bigint arrives as text; totals stay far below 2^53.
function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    items: row.items,
    totalCents: Number(row.total_cents),
    currency: row.currency,
    reason: row.reason,
    placedAt: row.placed_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

function toProduct(row: ProductRow): Product {
  return { sku: row.sku, name: row.name, priceCents: row.price_cents, currency: row.currency };
}

/** Where the store reads: the pool, or a transaction that also reads what it wrote. */
export type PostgresReader = PostgresPool | PostgresClient;

const UNIQUE_VIOLATION = '23505';

function isVersionTaken(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  return code === UNIQUE_VIOLATION && constraint === 'order_events_pkey';
}

/**
 * The order store: SQL only; what to append and what to publish is the domain's call.
 * The statements on the path of every order are named: each connection prepares them
 * once instead of parsing and planning them at every call.
 */
export function createPostgresOrderStore(
  outbox: Outbox,
): OrderStore<PostgresClient, PostgresReader> {
  return {
    async loadEvents(db, orderId, upToVersion) {
      const { rows } = await db.query({
        name: 'order-events-load',
        text: `SELECT ${eventColumns} FROM order_events
                WHERE order_id = $1 AND ($2::integer IS NULL OR version <= $2)
                ORDER BY version`,
        values: [orderId, upToVersion ?? null],
      });
      return rows.map(toOrderEvent);
    },

    async append(tx, { events, order, messages }) {
      // A savepoint, so a conflict leaves the caller's transaction usable: an event
      // handler decides again inside its inbox transaction instead of failing the message.
      // A new order's stream has nothing to conflict with (its id is new), so placing an
      // order saves the savepoint's two round trips.
      const guarded = (events[0]?.version ?? 1) > 1;
      if (guarded) await tx.query('SAVEPOINT order_append');
      try {
        for (const event of events) {
          await tx.query({
            name: 'order-events-append',
            text: `INSERT INTO order_events (${eventColumns}) VALUES ($1, $2, $3, $4, $5)`,
            values: [
              event.orderId,
              event.version,
              event.type,
              JSON.stringify(event.data),
              event.occurredAt,
            ],
          });
        }
        await projectOrder(tx, order);
        await outbox.append(tx, messages);
        if (guarded) await tx.query('RELEASE SAVEPOINT order_append');
      } catch (error) {
        if (guarded) await tx.query('ROLLBACK TO SAVEPOINT order_append').catch(() => undefined);
        if (isVersionTaken(error)) {
          const version = events[0]?.version ?? 0;
          throw new VersionConflictError(order.id, version, { cause: error });
        }
        throw error;
      }
    },

    async findOrder(db, userId, orderId) {
      const { rows } = await db.query<OrderRow>(
        `SELECT ${orderColumns} FROM orders WHERE id = $1 AND user_id = $2`,
        [orderId, userId],
      );
      return rows[0] ? toOrder(rows[0]) : undefined;
    },

    async listOrders(db, userId, limit) {
      const { rows } = await db.query<OrderRow>(
        `SELECT ${orderColumns} FROM orders WHERE user_id = $1
          ORDER BY placed_at DESC, id DESC LIMIT $2`,
        [userId, limit],
      );
      return rows.map(toOrder);
    },

    async listProducts(db) {
      const { rows } = await db.query<ProductRow>(
        'SELECT sku, name, price_cents, currency FROM products ORDER BY price_cents, sku',
      );
      return rows.map(toProduct);
    },

    async findProducts(db, skus) {
      const { rows } = await db.query<ProductRow>({
        name: 'order-products-find',
        text: 'SELECT sku, name, price_cents, currency FROM products WHERE sku = ANY($1::text[])',
        values: [skus],
      });
      return rows.map(toProduct);
    },
  };
}
