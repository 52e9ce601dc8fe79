import { type Static, type TObject, Type } from 'typebox';
import type { EventData, EventType } from './event-registry.ts';
import { dataSchemaUri, type EventDefinition } from './events/define-event.ts';
import type { ServiceName } from './services.ts';

/**
 * The CloudEvents 1.0 attributes every Storekeeper event carries, structured JSON mode
 * (the whole event is the message body). `time` is when the fact happened, so payloads do
 * not repeat it; `dataschema` names the payload's schema version.
 */
export const CloudEventAttributes = Type.Object({
  specversion: Type.Literal('1.0'),
  id: Type.String({ minLength: 1, maxLength: 128, description: 'Unique per source' }),
  source: Type.String({ minLength: 1, description: 'URI reference of the producer' }),
  type: Type.String({ minLength: 1, description: 'The event type, e.g. order.placed' }),
  time: Type.String({ format: 'date-time', description: 'When the occurrence happened' }),
  datacontenttype: Type.Literal('application/json'),
  dataschema: Type.String({ minLength: 1, description: 'Schema (and version) of data' }),
  data: Type.Unknown(),
});

export type CloudEventAttributes = Static<typeof CloudEventAttributes>;

/** A Storekeeper event in its envelope, with `data` typed by its event type. */
export type CloudEvent<T extends EventType = EventType> = {
  [K in T]: Omit<CloudEventAttributes, 'type' | 'data'> & { type: K; data: EventData<K> };
}[T];

/** The envelope schema of one event type: the attributes with `type` and `data` pinned. */
export function cloudEventSchemaOf(definition: EventDefinition): TObject {
  return Type.Object(
    {
      ...CloudEventAttributes.properties,
      type: Type.Literal(definition.type),
      dataschema: Type.String({
        minLength: 1,
        description: `${dataSchemaUri(definition)} from this version of the contract`,
      }),
      data: definition.data,
    },
    { description: definition.description },
  );
}

/** CloudEvents `source` of a producer: `/storekeeper/<service>`. */
export function eventSource(producer: ServiceName): string {
  return `/storekeeper/${producer}`;
}
