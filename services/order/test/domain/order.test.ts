import { describe, expect, it } from 'vitest';
import {
  confirm,
  evolve,
  historyOf,
  type Order,
  type OrderEvent,
  placeOrder,
  reject,
  replay,
  totalOf,
} from '../../src/domain/order.ts';

const placedAt = new Date('2026-03-01T10:00:00.000Z');
const later = new Date('2026-03-01T10:00:05.000Z');
const mug = { sku: 'MUG-BLUE', name: 'Blue enamel mug', quantity: 2, unitPriceCents: 1250 };
const desk = { sku: 'DESK-STANDING', name: 'Standing desk', quantity: 1, unitPriceCents: 69900 };

const placed = (): OrderEvent[] =>
  placeOrder({
    orderId: 'o-1',
    userId: 'u-1',
    items: [mug, desk],
    currency: 'EUR',
    at: placedAt,
  });
const pending = (): Order => replay(placed()) as Order;

describe('an order', () => {
  it('is placed PENDING at version 1, totalled from its lines', () => {
    const events = placed();
    expect(events).toEqual([
      {
        type: 'OrderPlaced',
        orderId: 'o-1',
        version: 1,
        occurredAt: placedAt,
        data: { userId: 'u-1', items: [mug, desk], totalCents: 72_400, currency: 'EUR' },
      },
    ]);
    expect(replay(events)).toEqual({
      id: 'o-1',
      userId: 'u-1',
      status: 'PENDING',
      items: [mug, desk],
      totalCents: 72_400,
      currency: 'EUR',
      reason: null,
      placedAt,
      updatedAt: placedAt,
      version: 1,
    });
  });

  it('cannot be placed without lines', () => {
    expect(() =>
      placeOrder({ orderId: 'o', userId: 'u', items: [], currency: 'EUR', at: placedAt }),
    ).toThrow(/at least one line/);
  });

  it('totals quantity × unit price over its lines', () => {
    expect(totalOf([])).toBe(0);
    expect(totalOf([mug])).toBe(2_500);
    expect(totalOf([{ quantity: 1000, unitPriceCents: 69_900 }])).toBe(69_900_000);
  });

  it('moves PENDING → CONFIRMED on a payment, as version 2', () => {
    const events = confirm(pending(), { chargeId: 'c-1', at: later });
    expect(events).toEqual([
      {
        type: 'OrderConfirmed',
        orderId: 'o-1',
        version: 2,
        occurredAt: later,
        data: { chargeId: 'c-1' },
      },
    ]);
    expect(events.reduce(evolve, pending())).toMatchObject({
      status: 'CONFIRMED',
      reason: null,
      placedAt,
      updatedAt: later,
      version: 2,
    });
  });

  it('moves PENDING → REJECTED with the reason', () => {
    const events = reject(pending(), { reason: 'INSUFFICIENT_CREDIT', at: later });
    expect(events.map((e) => [e.type, e.version])).toEqual([['OrderRejected', 2]]);
    expect(events.reduce(evolve, pending())).toMatchObject({
      status: 'REJECTED',
      reason: 'INSUFFICIENT_CREDIT',
      updatedAt: later,
    });
  });

  it('decides nothing once settled: CONFIRMED and REJECTED are final', () => {
    const confirmed = confirm(pending(), { chargeId: 'c', at: later }).reduce(evolve, pending());
    const rejected = reject(pending(), { reason: 'INSUFFICIENT_CREDIT', at: later }).reduce(
      evolve,
      pending(),
    );
    for (const order of [confirmed, rejected]) {
      expect(confirm(order, { chargeId: 'c-2', at: later })).toEqual([]);
      expect(reject(order, { reason: 'INSUFFICIENT_CREDIT', at: later })).toEqual([]);
    }
  });

  it('refuses a stream the deciders cannot have written', () => {
    const [placement] = placed() as [OrderEvent];
    const confirmation = confirm(pending(), { chargeId: 'c', at: later })[0] as OrderEvent;
    expect(() => replay([placement, placement])).toThrow(/cannot follow/);
    expect(() => replay([confirmation])).toThrow(/cannot follow/);
    expect(() => evolve(undefined, { ...confirmation, version: 1 })).toThrow(/before OrderPlaced/);
    expect(() => evolve(pending(), { ...placement, version: 2 })).toThrow(/placed twice/);
    expect(() => evolve(pending(), { ...confirmation, orderId: 'o-2' })).toThrow(/cannot follow/);
    expect(replay([])).toBeUndefined();
  });

  it('has a history: each status with the time it began', () => {
    const events = [
      ...placed(),
      ...reject(pending(), { reason: 'INSUFFICIENT_CREDIT', at: later }),
    ];
    expect(historyOf(events)).toEqual([
      { status: 'PENDING', at: placedAt },
      { status: 'REJECTED', at: later, reason: 'INSUFFICIENT_CREDIT' },
    ]);
  });
});
