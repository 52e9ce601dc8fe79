import { createEvent } from '@storekeeper/messaging';
import { describe, expect, it } from 'vitest';
import { confirm, evolve, type Order, placeOrder, reject, replay } from '../../src/domain/order.ts';
import { messagesFor } from '../../src/domain/order-messages.ts';

const orderId = '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f';
const userId = '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11';
const at = new Date();
const placed = placeOrder({
  orderId,
  userId,
  items: [{ sku: 'MUG-BLUE', name: 'Blue enamel mug', quantity: 2, unitPriceCents: 1250 }],
  currency: 'EUR',
  at,
});
const pending = replay(placed) as Order;

describe('the messages of an order', () => {
  it('announce a placement as order.placed, valid against the contract', () => {
    const messages = messagesFor(pending, placed);
    expect(messages).toEqual([
      {
        type: 'order.placed',
        data: {
          orderId,
          userId,
          items: [{ sku: 'MUG-BLUE', quantity: 2, unitPriceCents: 1250 }],
          totalCents: 2500,
          currency: 'EUR',
        },
      },
    ]);
    for (const { type, data } of messages) expect(() => createEvent(type, data)).not.toThrow();
  });

  it('announce a confirmation and a rejection, valid against the contract', () => {
    const confirmed = confirm(pending, { chargeId: 'c', at });
    const rejected = reject(pending, { reason: 'INSUFFICIENT_CREDIT', at });
    const messages = [
      ...messagesFor(confirmed.reduce(evolve, pending), confirmed),
      ...messagesFor(rejected.reduce(evolve, pending), rejected),
    ];
    expect(messages).toEqual([
      { type: 'order.confirmed', data: { orderId, userId, totalCents: 2500, currency: 'EUR' } },
      {
        type: 'order.rejected',
        data: { orderId, userId, reason: 'INSUFFICIENT_CREDIT', totalCents: 2500, currency: 'EUR' },
      },
    ]);
    for (const { type, data } of messages) expect(() => createEvent(type, data)).not.toThrow();
  });
});
