import type { Order, OrderEvent } from './order.ts';
import type { OrderMessage } from './order-messages.ts';
import type { Product } from './order-pricing.ts';

/**
 * Another writer appended to the order's stream at a version this append meant to use:
 * the decision was taken on a stale state. The transaction stays usable, so the caller
 * can load the stream again and decide anew.
 */
export class VersionConflictError extends Error {
  readonly orderId: string;
  constructor(orderId: string, version: number, options: { cause?: unknown } = {}) {
    super(`order ${orderId} already has a version ${version}`, options);
    this.name = 'VersionConflictError';
    this.orderId = orderId;
  }
}

/** One decision's outcome, written at once. */
export interface OrderChange {
  /** Numbered by the decider; appended at exactly those versions. */
  readonly events: readonly OrderEvent[];
  /** The order after the events, for the read model. */
  readonly order: Order;
  /** Published if and only if the transaction commits. */
  readonly messages: readonly OrderMessage[];
}

/**
 * What the order domain needs from storage. The domain holds no connection: the caller
 * hands one in and the domain only passes it back, so it needs no database types.
 *
 * - `Tx` is a transaction: an event handler's inbox transaction, or one the service opens.
 * - `Db` is where reads run outside a transaction (the pool); a `Tx` works there too.
 */
export interface OrderStore<Tx, Db = Tx> {
  /** The order's events, oldest first, up to `upToVersion` if given; [] for no order. */
  loadEvents(db: Db | Tx, orderId: string, upToVersion?: number): Promise<OrderEvent[]>;
  /**
   * Appends the events, projects the order into the read model and writes the messages to
   * the outbox, all on `tx`. Throws VersionConflictError when one of the versions exists.
   */
  append(tx: Tx, change: OrderChange): Promise<void>;
  /** The read model's order, if it exists and belongs to `userId`. */
  findOrder(db: Db, userId: string, orderId: string): Promise<Order | undefined>;
  /** The read model's newest `limit` orders of `userId`, newest first. */
  listOrders(db: Db, userId: string, limit: number): Promise<Order[]>;
  /** The whole catalogue, cheapest first. */
  listProducts(db: Db): Promise<Product[]>;
  /** The catalogue entries among `skus` (unknown ones are simply absent). */
  findProducts(db: Db, skus: readonly string[]): Promise<Product[]>;
}
