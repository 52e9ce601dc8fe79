import { randomUUID } from 'node:crypto';
import {
  type CloudEvent,
  dataSchemaUri,
  type EventData,
  type EventType,
  eventDefinitionOf,
  eventSource,
} from '@storekeeper/contracts';
import { validateEvent } from './event-validation.ts';

export interface CreateEventOptions {
  /** Defaults to a random UUID: consumers deduplicate on (source, id). */
  readonly id?: string;
  /** When the fact happened; defaults to now. */
  readonly time?: Date;
}

/**
 * Wraps `data` in its CloudEvents envelope (source, dataschema and so on from the
 * registry) and validates it, so an invalid event fails where it is made, with the
 * offending field named, and never reaches the outbox or SNS.
 */
export function createEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  options: CreateEventOptions = {},
): CloudEvent<T> {
  const definition = eventDefinitionOf(type);
  const event = {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source: eventSource(definition.producer),
    type,
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    dataschema: dataSchemaUri(definition),
    data,
  };
  return validateEvent(event) as CloudEvent<T>;
}
