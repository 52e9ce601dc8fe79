import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { cloudEventSchemaOf } from '../src/cloud-event.ts';
import {
  eventDefinitionOf,
  eventDefinitions,
  eventMetadata,
  isEventType,
} from '../src/event-registry.ts';
import { dataSchemaUri } from '../src/events/define-event.ts';

describe('event registry', () => {
  it('has one definition per type', () => {
    const types = eventDefinitions.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
  });

  it.each(eventDefinitions.map((d) => [d.type, d] as const))(
    '%s: its example is valid, in and out of the envelope',
    (_type, definition) => {
      expect(Compile(definition.data).Check(definition.example)).toBe(true);
      const envelope = {
        specversion: '1.0',
        id: 'b1e4f0c2-3d5a-4e6b-8c7d-9e0f1a2b3c4d',
        source: `/storekeeper/${definition.producer}`,
        type: definition.type,
        time: '2026-01-01T00:00:00.000Z',
        datacontenttype: 'application/json',
        dataschema: dataSchemaUri(definition),
        data: definition.example,
      };
      expect(Compile(cloudEventSchemaOf(definition)).Check(envelope)).toBe(true);
    },
  );

  it('refuses a payload that breaks the schema, naming the field', () => {
    const schema = Compile(eventDefinitionOf('order.placed').data);
    const errors = [
      ...schema.Errors({
        orderId: 'not-a-uuid',
        userId: '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11',
        items: [],
        totalCents: 12.5,
        currency: 'eur',
      }),
    ];
    expect(errors.map((e) => e.instancePath).sort()).toEqual(
      ['/currency', '/items', '/orderId', '/totalCents'].sort(),
    );
  });

  it('keeps the verification token out of user.signed-up (ADR 0033)', () => {
    expect(Object.keys(eventDefinitionOf('user.signed-up').data.properties)).not.toContain(
      'verificationToken',
    );
  });

  it('describes each event by type, version, producer and topic', () => {
    expect(eventMetadata(eventDefinitionOf('payment.failed'))).toEqual({
      type: 'payment.failed',
      version: 1,
      producer: 'billing',
      topic: 'storekeeper-billing-events',
    });
    expect(isEventType('order.placed')).toBe(true);
    expect(isEventType('order.shipped')).toBe(false);
  });
});
