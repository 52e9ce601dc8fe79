import type { Static } from 'typebox';
import { type EventDefinition, topicBaseName } from './events/define-event.ts';
import { orderConfirmed, orderPlaced, orderRejected } from './events/order-events.ts';
import { paymentFailed, paymentSucceeded } from './events/payment-events.ts';
import {
  userEmailVerificationRequested,
  userEmailVerified,
  userSignedUp,
} from './events/user-events.ts';
import type { ServiceName } from './services.ts';

/**
 * Every event of the system (DESIGN §4), once. Publishing, consuming, the topology's
 * filter policies and the AsyncAPI document all read this list; an event that is not
 * here cannot be published or consumed.
 */
export const eventDefinitions = [
  userSignedUp,
  userEmailVerificationRequested,
  userEmailVerified,
  orderPlaced,
  orderConfirmed,
  orderRejected,
  paymentSucceeded,
  paymentFailed,
] as const;

export type AnyEventDefinition = (typeof eventDefinitions)[number];
export type EventType = AnyEventDefinition['type'];
export type EventDefinitionOf<T extends EventType> = Extract<AnyEventDefinition, { type: T }>;
/** The `data` of an event type, inferred from its schema. */
export type EventData<T extends EventType> = Static<EventDefinitionOf<T>['data']>;
/** The producing service of an event type. */
export type ProducerOf<T extends EventType> = EventDefinitionOf<T>['producer'];

const byType = new Map<string, AnyEventDefinition>(eventDefinitions.map((d) => [d.type, d]));

export const eventTypes = eventDefinitions.map((d) => d.type) as readonly EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && byType.has(value);
}

export function eventDefinitionOf<T extends EventType>(type: T): EventDefinitionOf<T> {
  const definition = byType.get(type);
  if (!definition) throw new Error(`"${type}" is not an event type of the registry`);
  return definition as EventDefinitionOf<T>;
}

/** Services that publish at least one event, each with the event types it publishes. */
export function producers(): ReadonlyMap<ServiceName, readonly EventType[]> {
  const result = new Map<ServiceName, EventType[]>();
  for (const definition of eventDefinitions) {
    const types = result.get(definition.producer) ?? [];
    types.push(definition.type);
    result.set(definition.producer, types);
  }
  return result;
}

/** The registry entry as metadata: what the issue calls type, version, producer, topic. */
export function eventMetadata(definition: EventDefinition) {
  return {
    type: definition.type,
    version: definition.version,
    producer: definition.producer,
    topic: topicBaseName(definition.producer),
  };
}
