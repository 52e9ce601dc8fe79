import { setTimeout as delay } from 'node:timers/promises';
import type { CloudEvent } from '@storekeeper/contracts';
import type { PostgresClient, PostgresPool } from '@storekeeper/platform';
import type { Logger } from 'pino';
import { backoffDelay } from '../backoff.ts';
import type { EventPublisher, PublishFailure } from '../publisher/create-event-publisher.ts';
import { outboxChannel } from './create-outbox.ts';

export interface OutboxRelayOptions {
  readonly pool: PostgresPool;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  /** Rows claimed per round (published in SNS batches of 10, in parallel). Default 100. */
  readonly batchSize?: number;
  /**
   * Pause after a round that found less than a full batch, unless a commit that wrote to
   * the outbox wakes the relay first (LISTEN). The poll is the safety net for a lost
   * notification or listener connection. Default 1 s.
   */
  readonly pollIntervalMs?: number;
  /** Wake on the outbox's commit notifications (default true). */
  readonly listen?: boolean;
  /** While SNS is unavailable: first pause, doubled per failed round up to the max. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Published rows older than this are deleted (default 3 days; 0 keeps them). */
  readonly retentionMs?: number;
  /**
   * How often the relay looks at its backlog, and how old the oldest unpublished event
   * must be for it to say so: a warning with `outboxBacklog` (events) and
   * `outboxOldestAgeSeconds`, which a CloudWatch metric filter turns into the metric its
   * alarm watches (infra/). Defaults: every 60 s, behind at 30 s.
   */
  readonly backlogReport?: { readonly everyMs: number; readonly behindAfterMs: number };
}

export interface RelayRound {
  readonly published: number;
  readonly failed: number;
  /** True when SNS did not answer at all: the relay backs off. */
  readonly unavailable: boolean;
}

export interface OutboxRelay {
  /** Starts the loop in the background (idempotent). */
  start(): void;
  /** Finishes the current round (a claimed batch is published and marked) and stops. */
  stop(): Promise<void>;
  /** One round: claim due rows, publish them, mark them. Tests and the loop use it. */
  relayOnce(): Promise<RelayRound>;
}

interface OutboxRow {
  event_id: string;
  event: CloudEvent;
  trace_header: string | null;
  attempts: number;
}

const housekeepingEveryMs = 10 * 60_000;
const housekeepingBatch = 5_000;

/**
 * Publishes what the outbox holds: at least once, in the order rows were written as far as
 * one round goes (SNS standard topics do not keep order anyway). Any number of relays may
 * run (one per task): a round claims its rows with FOR UPDATE SKIP LOCKED, so two relays
 * never publish the same row at the same time. While SNS is unreachable rounds fail and
 * the relay backs off; writers are not affected, they only touch PostgreSQL.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const wake = createWakeUp();
  const listener =
    options.listen === false ? undefined : createListener(options.pool, wake, () => log);
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const retentionMs = options.retentionMs ?? 3 * 24 * 60 * 60_000;
  const log = options.logger.child({ component: 'outbox-relay' });
  let running: Promise<void> | undefined;
  let stopper: AbortController | undefined;
  let lastHousekeeping = 0;
  let housekeepingFailures = 0;
  const backlogReport = options.backlogReport ?? { everyMs: 60_000, behindAfterMs: 30_000 };
  let lastBacklogReport = 0;

  async function relayOnce(): Promise<RelayRound> {
    const client = await options.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<OutboxRow>({
        name: 'storekeeper-outbox-claim',
        text: `SELECT event_id, event, trace_header, attempts FROM outbox
                WHERE published_at IS NULL AND available_at <= now()
                ORDER BY id LIMIT $1
                FOR UPDATE SKIP LOCKED`,
        values: [batchSize],
      });
      if (rows.length === 0) {
        await client.query('COMMIT');
        return { published: 0, failed: 0, unavailable: false };
      }
      const result = await options.publisher.publishBatch(
        rows.map((row) => ({ event: row.event, traceHeader: row.trace_header ?? undefined })),
      );
      if (result.published.length > 0) {
        await client.query({
          name: 'storekeeper-outbox-published',
          text: `UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
                  WHERE event_id = ANY($1)`,
          values: [result.published],
        });
      }
      await recordFailures(client, rows, result.failed);
      await client.query('COMMIT');
      const unavailable =
        result.published.length === 0 && result.failed.some((f) => f.kind === 'unavailable');
      return { published: result.published.length, failed: result.failed.length, unavailable };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async function recordFailures(
    client: PostgresClient,
    rows: readonly OutboxRow[],
    failed: readonly PublishFailure[],
  ) {
    if (failed.length === 0) return;
    const attemptsOf = new Map(rows.map((row) => [row.event_id, row.attempts]));
    // An outage delays every row alike (the loop backs off); a refusal is about one row,
    // which waits longer on each attempt so it cannot crowd the others out of a batch.
    const delays = failed.map((f) =>
      f.kind === 'refused'
        ? backoffDelay((attemptsOf.get(f.id) ?? 0) + 1, { initialMs: 1_000, maxMs: 15 * 60_000 })
        : 0,
    );
    await client.query(
      `UPDATE outbox AS o
          SET attempts = o.attempts + 1,
              last_error = f.error,
              available_at = now() + make_interval(secs => f.delay_ms / 1000.0)
         FROM unnest($1::text[], $2::text[], $3::int[]) AS f(event_id, error, delay_ms)
        WHERE o.event_id = f.event_id`,
      [failed.map((f) => f.id), failed.map((f) => f.error.message.slice(0, 1000)), delays],
    );
    for (const refusal of failed.filter((f) => f.kind === 'refused')) {
      log.error({ eventId: refusal.id, err: refusal.error }, 'event refused; will retry later');
    }
  }

  /**
   * Deletes published rows past the retention, a batch a round: one DELETE of a large
   * backlog could outlast the statement timeout every time and never finish. A full
   * batch means more are due, so the next round deletes the next one.
   */
  async function housekeeping() {
    if (retentionMs === 0 || Date.now() - lastHousekeeping < housekeepingEveryMs) return;
    try {
      const { rowCount } = await options.pool.query({
        name: 'storekeeper-outbox-housekeeping',
        text: `DELETE FROM outbox WHERE id IN (
                 SELECT id FROM outbox
                  WHERE published_at < now() - make_interval(secs => $1 / 1000.0)
                  ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        values: [retentionMs, housekeepingBatch],
      });
      if ((rowCount ?? 0) < housekeepingBatch) lastHousekeeping = Date.now();
      if (rowCount) log.debug({ deleted: rowCount }, 'deleted published outbox rows');
      housekeepingFailures = 0;
    } catch (error) {
      // Not a publishing failure: publishing goes on, and this is tried next period.
      lastHousekeeping = Date.now();
      housekeepingFailures++;
      if (housekeepingFailures === 1) {
        log.warn({ err: error }, 'could not delete published outbox rows');
      }
    }
  }

  // Runs whether or not SNS answers: an outage is exactly when the backlog grows.
  async function reportBacklog() {
    if (Date.now() - lastBacklogReport < backlogReport.everyMs) return;
    lastBacklogReport = Date.now();
    const { rows } = await options.pool.query<{ n: number; age: number | null }>(
      `SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS age
         FROM outbox WHERE published_at IS NULL`,
    );
    const backlog = rows[0]?.n ?? 0;
    const ageSeconds = rows[0]?.age ?? 0;
    if (backlog > 0 && ageSeconds * 1000 >= backlogReport.behindAfterMs) {
      log.warn(
        { outboxBacklog: backlog, outboxOldestAgeSeconds: Math.round(ageSeconds * 10) / 10 },
        'outbox is behind',
      );
    }
  }

  async function loop(signal: AbortSignal) {
    let failures = 0;
    while (!signal.aborted) {
      let pause = pollIntervalMs;
      await reportBacklog().catch((error) =>
        log.debug({ err: error }, 'could not read the outbox backlog'),
      );
      try {
        const round = await relayOnce();
        if (round.unavailable) throw new Error('SNS is unavailable');
        if (failures > 0) log.info({ afterFailures: failures }, 'publishing again');
        failures = 0;
        if (round.published + round.failed >= batchSize) pause = 0;
      } catch (error) {
        failures++;
        pause = backoffDelay(failures, backoff);
        // One warning per outage, then quieter: an outage must not flood the logs.
        const level = failures === 1 ? 'warn' : 'debug';
        log[level]({ err: error, failures, retryInMs: pause }, 'outbox relay round failed');
      }
      await housekeeping();
      // After a failure the backoff holds: writers commit during an SNS outage, and if each
      // commit's notification woke the relay, it would try SNS once per commit.
      if (pause > 0) await wake.sleep(pause, signal, failures === 0);
    }
  }

  return {
    start() {
      if (running) return;
      stopper = new AbortController();
      listener?.start(stopper.signal);
      running = loop(stopper.signal);
    },
    async stop() {
      stopper?.abort();
      await running;
      await listener?.stop();
      running = undefined;
    },
    relayOnce,
  };
}

interface WakeUp {
  /**
   * Resolves after `ms` or at an abort; when `wakeable`, also at once when woken meanwhile
   * (or before). A wake during a sleep that is not wakeable is kept for the next one.
   */
  sleep(ms: number, signal: AbortSignal, wakeable?: boolean): Promise<void>;
  wake(): void;
}

function createWakeUp(): WakeUp {
  let woken = false;
  let resolveSleep: (() => void) | undefined;
  return {
    async sleep(ms, signal, wakeable = true) {
      if (signal.aborted) return;
      if (wakeable && woken) {
        woken = false;
        return;
      }
      const { promise, resolve } = Promise.withResolvers<void>();
      if (wakeable) resolveSleep = resolve;
      const timer = setTimeout(resolve, ms);
      const onAbort = () => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      await promise;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (wakeable) {
        resolveSleep = undefined;
        woken = false;
      }
    },
    wake() {
      woken = true;
      resolveSleep?.();
    },
  };
}

interface Listener {
  start(signal: AbortSignal): void;
  stop(): Promise<void>;
}

/** A listening connection lost sooner than this after it opened counts as a failure. */
const quickLossMs = 10_000;

/**
 * One pooled connection that LISTENs on the outbox channel and wakes the relay at every
 * notification. Lost (a database restart), it is opened again with backoff; meanwhile
 * the poll keeps the relay going.
 */
function createListener(pool: PostgresPool, wake: WakeUp, log: () => Logger): Listener {
  let running: Promise<void> | undefined;
  async function listen(signal: AbortSignal) {
    let failures = 0;
    while (!signal.aborted) {
      let client: PostgresClient | undefined;
      const stopped = Promise.withResolvers<void>();
      const onAbort = () => stopped.resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        client = await pool.connect();
        const lost = new Promise<void>((resolve) => {
          client?.once('error', () => resolve());
          client?.once('end', () => resolve());
          void stopped.promise.then(resolve);
        });
        client.on('notification', () => wake.wake());
        await client.query(`LISTEN ${outboxChannel}`);
        const listeningSince = performance.now();
        // Whatever was committed while no one listened is picked up now.
        wake.wake();
        await lost;
        if (signal.aborted) break;
        // A connection that keeps being cut soon after it opened (an idle-session timeout,
        // a proxy) is opened again with backoff, and reported once, not in a loop.
        failures = performance.now() - listeningSince < quickLossMs ? failures + 1 : 0;
        if (failures <= 1) log().warn('outbox listener connection lost; reconnecting');
      } catch (error) {
        failures++;
        if (failures === 1) log().warn({ err: error }, 'outbox listener failed; polling meanwhile');
      } finally {
        signal.removeEventListener('abort', onAbort);
        // Destroyed, not returned: a pooled connection must not keep LISTENing for others.
        client?.release(true);
      }
      if (!signal.aborted && failures > 0) {
        await delay(backoffDelay(failures, { initialMs: 500, maxMs: 30_000 }), undefined, {
          signal,
        }).catch(() => undefined);
      }
    }
  }
  return {
    start(signal) {
      running ??= listen(signal);
    },
    async stop() {
      await running;
      running = undefined;
    },
  };
}
