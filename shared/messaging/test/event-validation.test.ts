import { orderPlaced, userSignedUp } from '@storekeeper/contracts';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.ts';
import { parseMessage } from '../src/consumer/parse-message.ts';
import { createEvent } from '../src/create-event.ts';
import { EventValidationError, validateEvent } from '../src/event-validation.ts';

describe('events in their envelope', () => {
  it('wraps data in a CloudEvents 1.0 envelope from the registry', () => {
    const event = createEvent('user.signed-up', userSignedUp.example);
    expect(event).toMatchObject({
      specversion: '1.0',
      source: '/storekeeper/user',
      type: 'user.signed-up',
      datacontenttype: 'application/json',
      dataschema: 'urn:storekeeper:event:user.signed-up:v1',
      data: userSignedUp.example,
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.time)).not.toBeNaN();
  });

  it('refuses data that breaks the schema, naming the nested field', () => {
    const data = {
      ...userSignedUp.example,
      billingAddress: { ...userSignedUp.example.billingAddress, city: 42 },
    };
    expect(() => createEvent('user.signed-up', data as never)).toThrow(
      /user\.signed-up is not valid: data\.billingAddress\.city: must be string/,
    );
  });

  it('names every missing field and an unknown type', () => {
    const event = createEvent('order.placed', orderPlaced.example);
    const { currency: _gone, ...rest } = event.data;
    try {
      validateEvent({ ...event, data: rest });
      expect.unreachable();
    } catch (error) {
      expect((error as EventValidationError).errors).toEqual([
        { field: 'data.currency', message: 'is required' },
      ]);
    }
    expect(() => validateEvent({ ...event, type: 'order.shipped' })).toThrow(
      /type: "order.shipped" is not an event type/,
    );
    expect(() => validateEvent({ ...event, specversion: '0.3' })).toThrow(/specversion/);
  });

  it('accepts a message only when it is an event this queue consumes', () => {
    const event = createEvent('order.placed', orderPlaced.example);
    const message = (body: string) => ({ Body: body, MessageId: 'm1' });
    expect(parseMessage(message(JSON.stringify(event)), ['order.placed']).id).toBe(event.id);
    expect(() => parseMessage(message('{not json'), ['order.placed'])).toThrow(
      EventValidationError,
    );
    expect(() => parseMessage(message(JSON.stringify(event)), ['user.signed-up'])).toThrow(
      /does not consume order.placed/,
    );
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt up to the maximum, with jitter in the upper half', () => {
    const options = { initialMs: 100, maxMs: 1_000 };
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
    expect(backoffDelay(10, options, () => 1)).toBe(1_000);
    expect(backoffDelay(10, options, () => 0)).toBe(500);
  });
});
