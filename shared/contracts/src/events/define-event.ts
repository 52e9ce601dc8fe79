import type { Static, TObject } from 'typebox';
import type { ServiceName } from '../services.ts';

/**
 * One event type: its schema and what the rest of the system needs to know about it.
 * Everything else (types, topology, AsyncAPI, validation) is derived from these.
 */
export interface EventDefinition<
  Type extends string = string,
  Data extends TObject = TObject,
  Producer extends ServiceName = ServiceName,
> {
  /** The CloudEvents `type`, and the value of the `type` message attribute filters match on. */
  readonly type: Type;
  /**
   * Revision of `data`, raised with every compatible (additive) change and carried in the
   * envelope's `dataschema`. A change a consumer could trip over is not a new version but
   * a new event type (`order.placed.v2`), published beside the old one until every
   * consumer has moved, so filter policies keep old consumers on what they understand
   * (docs/messaging.md, "Evolving an event").
   */
  readonly version: number;
  /** The only service that publishes it; it goes out on that service's topic. */
  readonly producer: Producer;
  readonly summary: string;
  readonly description: string;
  readonly data: Data;
  /** A valid payload, used in the AsyncAPI document and checked against the schema in tests. */
  readonly example: Static<Data>;
}

export function defineEvent<
  const Type extends string,
  Data extends TObject,
  const Producer extends ServiceName,
>(definition: EventDefinition<Type, Data, Producer>): EventDefinition<Type, Data, Producer> {
  return Object.freeze(definition);
}

/** Base name of a producer's topic (before an environment's prefix/suffix): DESIGN §4. */
export function topicBaseName(producer: ServiceName): string {
  return `storekeeper-${producer}-events`;
}

/** `urn:storekeeper:event:user.signed-up:v1`, the CloudEvents `dataschema` of an event. */
export function dataSchemaUri(definition: Pick<EventDefinition, 'type' | 'version'>): string {
  return `urn:storekeeper:event:${definition.type}:v${definition.version}`;
}
