import type { CloudEvent } from '@storekeeper/contracts';

/** What became of one received message. */
export type HandlingOutcome =
  /** The handler ran and its transaction committed. */
  | 'handled'
  /** The inbox had the event already: nothing ran. */
  | 'duplicate'
  /** The handler (or the inbox transaction) threw; the message will come back. */
  | 'failed'
  /** The handler threw `retryLater(...)`: not yet; the message will come back. */
  | 'deferred'
  /** Not JSON, not a CloudEvent, an unknown type or data that breaks the schema. */
  | 'rejected';

export interface SpyRecord {
  readonly outcome: HandlingOutcome;
  /** The event, when the message was one. */
  readonly event?: CloudEvent;
  readonly messageId: string;
  readonly receiveCount: number;
  /** The trace header the message carried (message attribute). */
  readonly traceHeader?: string | undefined;
  readonly error?: Error;
  readonly at: number;
}

export type SpyFilter =
  | {
      readonly id?: string;
      readonly type?: string;
      readonly outcome?: HandlingOutcome;
      readonly messageId?: string;
    }
  | ((record: SpyRecord) => boolean);

export interface HandlerSpy {
  readonly records: readonly SpyRecord[];
  /** Resolves with the first record (past or future) matching `filter`; rejects on timeout. */
  waitFor(filter: SpyFilter, options?: { timeoutMs?: number }): Promise<SpyRecord>;
  count(filter: SpyFilter): number;
  record(record: SpyRecord): void;
  clear(): void;
}

/**
 * Records what a consumer did with each message so tests wait for a specific message to be
 * handled (or rejected) instead of sleeping: `await spy.waitFor({ id, outcome: 'handled' })`.
 * (The idea is message-queue-toolkit's handler spy.)
 */
export function createHandlerSpy(options: { limit?: number } = {}): HandlerSpy {
  const limit = options.limit ?? 10_000;
  const records: SpyRecord[] = [];
  const waiters = new Set<{ match: (r: SpyRecord) => boolean; resolve: (r: SpyRecord) => void }>();

  return {
    get records() {
      return records;
    },
    record(record) {
      records.push(record);
      if (records.length > limit) records.shift();
      for (const waiter of waiters) {
        if (waiter.match(record)) {
          waiters.delete(waiter);
          waiter.resolve(record);
        }
      }
    },
    count(filter) {
      return records.filter(matcher(filter)).length;
    },
    waitFor(filter, waitOptions = {}) {
      const match = matcher(filter);
      const found = records.find(match);
      if (found) return Promise.resolve(found);
      const timeoutMs = waitOptions.timeoutMs ?? 10_000;
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (record: SpyRecord) => {
            clearTimeout(timer);
            resolve(record);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = records.map(
            (r) => `${r.event?.type ?? '?'}#${r.event?.id ?? r.messageId}:${r.outcome}`,
          );
          reject(
            new Error(
              `no message matching ${describe(filter)} within ${timeoutMs} ms; seen: ${seen.slice(-10).join(', ') || 'none'}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    clear() {
      records.length = 0;
    },
  };
}

function matcher(filter: SpyFilter): (record: SpyRecord) => boolean {
  if (typeof filter === 'function') return filter;
  return (record) =>
    (filter.id === undefined || record.event?.id === filter.id) &&
    (filter.type === undefined || record.event?.type === filter.type) &&
    (filter.outcome === undefined || record.outcome === filter.outcome) &&
    (filter.messageId === undefined || record.messageId === filter.messageId);
}

function describe(filter: SpyFilter): string {
  return typeof filter === 'function' ? 'the predicate' : JSON.stringify(filter);
}
