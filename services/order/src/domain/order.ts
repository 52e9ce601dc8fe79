import type { EventData } from '@storekeeper/contracts';

/**
 * An order is the fold of its events: `evolve` applies one, `replay` all of them. The
 * deciders (`placeOrder`, `confirm`, `reject`) look at the current state and answer with
 * the events to append, already numbered: the store appends them at those versions or
 * fails when another writer got there first. The only transitions are
 * PENDING → CONFIRMED and PENDING → REJECTED; anything else decides nothing.
 */

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED';

/** Why an order was rejected: the reasons payment.failed may carry. */
export type RejectionReason = EventData<'payment.failed'>['reason'];

export interface OrderLine {
  readonly sku: string;
  /** The product's name when the order was placed. */
  readonly name: string;
  readonly quantity: number;
  /** The catalogue price when the order was placed. */
  readonly unitPriceCents: number;
}

export interface OrderPlaced {
  readonly type: 'OrderPlaced';
  readonly data: {
    readonly userId: string;
    readonly items: readonly OrderLine[];
    readonly totalCents: number;
    readonly currency: string;
  };
}

export interface OrderConfirmed {
  readonly type: 'OrderConfirmed';
  /** The charge in the billing account that paid for the order. */
  readonly data: { readonly chargeId: string };
}

export interface OrderRejected {
  readonly type: 'OrderRejected';
  readonly data: { readonly reason: RejectionReason };
}

/** An event in an order's stream: what happened, to which order, as its n-th change. */
export type OrderEvent = (OrderPlaced | OrderConfirmed | OrderRejected) & {
  readonly orderId: string;
  /** 1 for OrderPlaced, then one more per event: the optimistic lock. */
  readonly version: number;
  readonly occurredAt: Date;
};

export interface Order {
  readonly id: string;
  readonly userId: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: string;
  /** Set once the order is REJECTED. */
  readonly reason: RejectionReason | null;
  readonly placedAt: Date;
  readonly updatedAt: Date;
  /** The version of the last event applied. */
  readonly version: number;
}

/** One status an order has had, for its history. */
export interface StatusChange {
  readonly status: OrderStatus;
  readonly at: Date;
  readonly reason?: RejectionReason;
}

/**
 * The order after `event`. Events are facts, so nothing is refused for business reasons;
 * a stream that cannot have been written by the deciders (a gap in the versions, a
 * confirmation before the placement) is corrupt and throws.
 */
export function evolve(state: Order | undefined, event: OrderEvent): Order {
  const expected = (state?.version ?? 0) + 1;
  if (event.version !== expected || (state && state.id !== event.orderId)) {
    throw new Error(
      `order ${event.orderId}: event ${event.type} v${event.version} cannot follow v${expected - 1}`,
    );
  }
  if (event.type === 'OrderPlaced') {
    if (state) throw new Error(`order ${event.orderId} was placed twice`);
    return {
      id: event.orderId,
      userId: event.data.userId,
      status: 'PENDING',
      items: event.data.items,
      totalCents: event.data.totalCents,
      currency: event.data.currency,
      reason: null,
      placedAt: event.occurredAt,
      updatedAt: event.occurredAt,
      version: event.version,
    };
  }
  if (!state) throw new Error(`order ${event.orderId}: ${event.type} before OrderPlaced`);
  const changed = { ...state, updatedAt: event.occurredAt, version: event.version };
  if (event.type === 'OrderConfirmed') return { ...changed, status: 'CONFIRMED' };
  return { ...changed, status: 'REJECTED', reason: event.data.reason };
}

/** The order an event stream describes (oldest first), or undefined for an empty stream. */
export function replay(events: readonly OrderEvent[]): Order | undefined {
  return events.reduce<Order | undefined>(evolve, undefined);
}

export interface PlaceOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLine[];
  readonly currency: string;
  readonly at: Date;
}

/** A new order, PENDING, priced from the lines it is given. */
export function placeOrder(command: PlaceOrder): OrderEvent[] {
  if (command.items.length === 0) throw new Error('an order has at least one line');
  return [
    {
      type: 'OrderPlaced',
      orderId: command.orderId,
      version: 1,
      occurredAt: command.at,
      data: {
        userId: command.userId,
        items: command.items,
        totalCents: totalOf(command.items),
        currency: command.currency,
      },
    },
  ];
}

/**
 * Billing charged the order: PENDING → CONFIRMED. Any other state decides nothing: a
 * duplicate or late payment event must not change a final order.
 */
export function confirm(order: Order, payment: { chargeId: string; at: Date }): OrderEvent[] {
  if (order.status !== 'PENDING') return [];
  return [
    {
      type: 'OrderConfirmed',
      orderId: order.id,
      version: order.version + 1,
      occurredAt: payment.at,
      data: { chargeId: payment.chargeId },
    },
  ];
}

/** Billing could not charge the order: PENDING → REJECTED, else nothing (see `confirm`). */
export function reject(order: Order, refusal: { reason: RejectionReason; at: Date }): OrderEvent[] {
  if (order.status !== 'PENDING') return [];
  return [
    {
      type: 'OrderRejected',
      orderId: order.id,
      version: order.version + 1,
      occurredAt: refusal.at,
      data: { reason: refusal.reason },
    },
  ];
}

/** Sum of quantity × unit price over the lines, in minor units. */
export function totalOf(items: readonly Pick<OrderLine, 'quantity' | 'unitPriceCents'>[]): number {
  return items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
}

/** Each status the order has had and since when, oldest first: one per event. */
export function historyOf(events: readonly OrderEvent[]): StatusChange[] {
  return events.map((event) => {
    if (event.type === 'OrderPlaced') return { status: 'PENDING', at: event.occurredAt };
    if (event.type === 'OrderConfirmed') return { status: 'CONFIRMED', at: event.occurredAt };
    return { status: 'REJECTED', at: event.occurredAt, reason: event.data.reason };
  });
}
