import type { Worker } from '@storekeeper/platform';
import type { Logger } from 'pino';
import type { IdempotencyKeyStore } from '../domain/idempotency-key-store.ts';

export interface IdempotencyKeySweeperOptions<Db> {
  readonly keys: Pick<IdempotencyKeyStore<unknown, Db>, 'deleteExpired'>;
  readonly db: Db;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Between two sweeps; default 5 minutes. */
  readonly intervalMs?: number;
  /** Keys deleted per statement, so one sweep never holds many row locks at once. */
  readonly batchSize?: number;
}

export interface IdempotencyKeySweeper extends Worker {
  /** Deletes every key expired by now, batch after batch; resolves how many. */
  sweepOnce(): Promise<number>;
}

/**
 * Deletes expired Idempotency-Keys in the background. Correctness does not depend on it
 * (a claim takes over an expired key itself); it keeps the table as small as a day of
 * orders. Every task sweeps; SKIP LOCKED lets them share the work.
 */
export function idempotencyKeySweeper<Db>(
  options: IdempotencyKeySweeperOptions<Db>,
): IdempotencyKeySweeper {
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 1_000;
  const log = options.logger.child({ component: 'idempotency-key-sweeper' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function sweepOnce(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = await options.keys.deleteExpired(options.db, now(), batchSize);
      deleted += batch;
      if (batch < batchSize) return deleted;
    }
  }

  const tick = () => {
    // A slow sweep is not overlapped by the next one.
    if (running) return;
    running = sweepOnce()
      .then(
        (deleted) => {
          if (deleted > 0) log.info({ deleted }, 'expired idempotency keys deleted');
        },
        // The database may be away for a while; the next tick tries again.
        (err: unknown) => log.warn({ err }, 'sweeping expired idempotency keys failed'),
      )
      .finally(() => {
        running = undefined;
      });
  };

  return {
    name: 'idempotency key sweeper',
    role: 'intake',
    async start() {
      tick();
      timer = setInterval(tick, options.intervalMs ?? 5 * 60_000);
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
    sweepOnce,
  };
}
