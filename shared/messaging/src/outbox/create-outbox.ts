import type { CloudEvent, EventData, EventType } from '@storekeeper/contracts';
import { type PostgresClient, tracing } from '@storekeeper/platform';
import { type CreateEventOptions, createEvent } from '../create-event.ts';
import { validateEvent } from '../event-validation.ts';

export interface Outbox {
  /**
   * Creates the event and writes it to the outbox on `tx`, the caller's transaction: it is
   * published if and only if that transaction commits. Throws an EventValidationError
   * (naming the field) for data that breaks the event's schema.
   */
  add<T extends EventType>(
    tx: PostgresClient,
    type: T,
    data: EventData<T>,
    options?: CreateEventOptions,
  ): Promise<CloudEvent<T>>;
  /** Writes an event made elsewhere (validated again). */
  addEvent(tx: PostgresClient, event: CloudEvent): Promise<void>;
  /** `add` for several events of a domain operation, in order. */
  append(tx: PostgresClient, events: readonly DomainEvent[]): Promise<CloudEvent[]>;
}

/** An event as domain code produces it, before it has an envelope. */
export type DomainEvent = {
  [T in EventType]: { readonly type: T; readonly data: EventData<T> };
}[EventType];

export interface OutboxOptions {
  /**
   * The current trace header; stored with the event so the relay, in another request or
   * process, publishes it with the trace of the request that caused it. By default the
   * process's tracing (`tracing()` of the kit), read when the event is added.
   */
  readonly traceHeader?: () => string | undefined;
}

/** The channel on which a commit that wrote to the outbox notifies the relays. */
export const outboxChannel = 'storekeeper_outbox';

export function createOutbox(options: OutboxOptions = {}): Outbox {
  const traceHeader = options.traceHeader ?? (() => tracing().currentTraceHeader());
  const addEvent = async (tx: PostgresClient, event: CloudEvent) => {
    validateEvent(event);
    // The notification is delivered when the transaction commits, and not at all if it
    // rolls back: it wakes the relays (LISTEN) the moment there is something to publish.
    // PostgreSQL folds identical notifications of one transaction into one.
    // Named, so each connection parses and plans it once (node-postgres prepares a named
    // statement on first use): the hot statements of the outbox, the relay and the inbox
    // are, and on the orders benchmark that took over a third off PostgreSQL's CPU.
    await tx.query({
      name: 'storekeeper-outbox-insert',
      text: `WITH written AS (
         INSERT INTO outbox (event_id, event_type, event, trace_header)
         VALUES ($1, $2, $3, $4)
         RETURNING event_id
       )
       SELECT pg_notify('${outboxChannel}', '') FROM written`,
      values: [event.id, event.type, JSON.stringify(event), traceHeader() ?? null],
    });
  };
  return {
    async add(tx, type, data, eventOptions) {
      const event = createEvent(type, data, eventOptions);
      await addEvent(tx, event as CloudEvent);
      return event;
    },
    addEvent,
    async append(tx, events) {
      const written: CloudEvent[] = [];
      for (const { type, data } of events) {
        const event = createEvent(type, data as never) as CloudEvent;
        await addEvent(tx, event);
        written.push(event);
      }
      return written;
    },
  };
}
