import { retryLater } from '@storekeeper/messaging/retry-later';
import { orderErrors } from '../errors.ts';
import { ABANDONED_CLAIM_MS, judgeTakenKey, requestFingerprint } from './idempotency.ts';
import type { IdempotencyKeyStore, KeyClaim } from './idempotency-key-store.ts';
import {
  confirm,
  evolve,
  historyOf,
  type Order,
  type OrderEvent,
  placeOrder,
  type RejectionReason,
  reject,
  replay,
  type StatusChange,
} from './order.ts';
import { messagesFor } from './order-messages.ts';
import { type Product, priceItems, type RequestedItem } from './order-pricing.ts';
import { type OrderStore, VersionConflictError } from './order-store.ts';
import type { UserDirectory } from './user-directory.ts';

export interface OrderServiceDeps<Tx, Db> {
  readonly store: OrderStore<Tx, Db>;
  readonly keys: IdempotencyKeyStore<Tx, Db>;
  readonly users: UserDirectory;
  /** Where reads and the key's own statements run (the pool). */
  readonly db: Db;
  /** Runs `work` in one transaction: what it writes commits together or not at all. */
  readonly transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  readonly newId: () => string;
  readonly now: () => Date;
  /** How long an Idempotency-Key is remembered. */
  readonly keyTtlMs: number;
}

export interface PlaceOrderInput {
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly items: readonly RequestedItem[];
}

/** An order with each status it has had. */
export interface OrderView {
  readonly order: Order;
  readonly history: readonly StatusChange[];
}

/** The order a request placed; `replayed` when an earlier request with its key did. */
export interface PlacedOrder extends OrderView {
  readonly replayed: boolean;
}

/** A payment outcome applied to an order: `changed` false for a late or duplicate one. */
export interface Settlement {
  readonly order: Order;
  readonly changed: boolean;
}

/** The order operations; `tx` is the store's transaction (see OrderStore), passed through. */
export interface OrderService<Tx> {
  products(): Promise<Product[]>;
  /**
   * Places a PENDING order for a verified user at catalogue prices, once per
   * Idempotency-Key. Nothing is left behind when it fails: no order, no key.
   */
  placeOrder(input: PlaceOrderInput): Promise<PlacedOrder>;
  /** The user's own order; ORDER_NOT_FOUND for anyone else's, as for one that is not there. */
  getOrder(userId: string, orderId: string): Promise<OrderView>;
  listOrders(userId: string, limit: number): Promise<Order[]>;
  /** payment.succeeded: PENDING → CONFIRMED and order.confirmed, on `tx`. */
  confirmPayment(tx: Tx, payment: { orderId: string; chargeId: string }): Promise<Settlement>;
  /** payment.failed: PENDING → REJECTED and order.rejected, on `tx`. */
  rejectPayment(tx: Tx, refusal: { orderId: string; reason: RejectionReason }): Promise<Settlement>;
}

/** Decisions retried after a version conflict before the conflict is let through. */
const DECISION_ATTEMPTS = 3;

export function createOrderService<Tx, Db>(deps: OrderServiceDeps<Tx, Db>): OrderService<Tx> {
  const { store, keys, db } = deps;

  async function replayPlacement(orderId: string): Promise<PlacedOrder> {
    // The response as first sent: the order as of its placement, version 1 of its stream.
    const events = await store.loadEvents(db, orderId, 1);
    const order = replay(events);
    if (!order) throw new Error(`idempotency key names order ${orderId}, which has no events`);
    return { order, history: historyOf(events), replayed: true };
  }

  async function place(claim: KeyClaim, items: readonly RequestedItem[]): Promise<PlacedOrder> {
    // Priced first: a request for an unknown sku needs no call to the user service.
    const skus = [...new Set(items.map((item) => item.sku))];
    const priced = priceItems(items, await store.findProducts(db, skus));
    const customer = await deps.users.find(claim.userId);
    if (!customer) {
      // A verified token of a user who is no longer there is worth nothing here.
      throw orderErrors.create('INVALID_TOKEN', 'The access token names no existing user');
    }
    if (!customer.emailVerified) {
      throw orderErrors.create(
        'EMAIL_NOT_VERIFIED',
        'Verify your email address (see the verification email) before placing an order',
      );
    }
    const events = placeOrder({
      orderId: deps.newId(),
      userId: claim.userId,
      items: priced.items,
      currency: priced.currency,
      at: deps.now(),
    });
    const order = replay(events) as Order;
    await deps.transaction(async (tx) => {
      if (!(await keys.complete(tx, claim, order.id))) {
        throw orderErrors.create(
          'IDEMPOTENCY_KEY_IN_FLIGHT',
          'Another request with this Idempotency-Key took it over',
        );
      }
      await store.append(tx, { events, order, messages: messagesFor(order, events) });
    });
    return { order, history: historyOf(events), replayed: false };
  }

  /** Loads the order, decides and appends; decides again on a newer state after a conflict. */
  async function settle(
    tx: Tx,
    orderId: string,
    decide: (order: Order) => OrderEvent[],
  ): Promise<Settlement> {
    for (let attempt = 1; ; attempt++) {
      const current = replay(await store.loadEvents(tx, orderId));
      // order.placed is published only after the order commits, so this is a stray event
      // or one from another environment: back to the queue, and to the DLQ in the end.
      if (!current) throw retryLater(`order ${orderId} does not exist`);
      const events = decide(current);
      if (events.length === 0) return { order: current, changed: false };
      const order = events.reduce(evolve, current);
      try {
        await store.append(tx, { events, order, messages: messagesFor(order, events) });
        return { order, changed: true };
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= DECISION_ATTEMPTS) throw error;
      }
    }
  }

  return {
    products: () => store.listProducts(db),

    async placeOrder(input) {
      const now = deps.now();
      const claim: KeyClaim = {
        userId: input.userId,
        key: input.idempotencyKey,
        fingerprint: requestFingerprint({ items: input.items }),
        claimId: deps.newId(),
      };
      const claimed = await keys.claim(db, claim, {
        now,
        expiresAt: new Date(now.getTime() + deps.keyTtlMs),
        abandonedBefore: new Date(now.getTime() - ABANDONED_CLAIM_MS),
      });
      if (claimed.outcome === 'taken') {
        const verdict = judgeTakenKey(claimed.record, claim.fingerprint);
        if (verdict.outcome === 'reused') {
          throw orderErrors.create(
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was used for a different request; use a new key for a new order',
          );
        }
        if (verdict.outcome === 'in-flight') {
          throw orderErrors.create(
            'IDEMPOTENCY_KEY_IN_FLIGHT',
            'A request with this Idempotency-Key is still being processed; retry shortly',
          );
        }
        return replayPlacement(verdict.orderId);
      }
      try {
        return await place(claim, input.items);
      } catch (error) {
        // Nothing was created, so the key must not stay: the client retries with it. Should
        // the delete fail too, the claim counts as abandoned after ABANDONED_CLAIM_MS.
        await keys.release(db, claim).catch(() => undefined);
        throw error;
      }
    },

    async getOrder(userId, orderId) {
      const order = await store.findOrder(db, userId, orderId);
      if (!order) throw orderErrors.create('ORDER_NOT_FOUND', `There is no order ${orderId}`);
      // Up to the read model's version: the history never runs ahead of the order shown.
      const events = await store.loadEvents(db, orderId, order.version);
      return { order, history: historyOf(events) };
    },

    listOrders: (userId, limit) => store.listOrders(db, userId, limit),

    confirmPayment: (tx, { orderId, chargeId }) =>
      settle(tx, orderId, (order) => confirm(order, { chargeId, at: deps.now() })),

    rejectPayment: (tx, { orderId, reason }) =>
      settle(tx, orderId, (order) => reject(order, { reason, at: deps.now() })),
  };
}
