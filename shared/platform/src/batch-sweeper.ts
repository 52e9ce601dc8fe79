import type { Logger } from 'pino';
import type { Worker } from './worker.ts';

export interface BatchSweeperOptions {
  /** The worker's name, e.g. `inbox sweeper`. */
  readonly name: string;
  /** What is deleted, for the log lines, e.g. `expired idempotency keys`. */
  readonly what: string;
  readonly logger: Logger;
  /**
   * Deletes up to `limit` of the rows that are due and resolves how many it deleted. With
   * `FOR UPDATE SKIP LOCKED` in its select, tasks sweeping at once share the work.
   */
  readonly deleteBatch: (limit: number) => Promise<number>;
  /** Between two sweeps; default 5 minutes. */
  readonly intervalMs?: number;
  /** Rows deleted per statement, so one sweep never holds many row locks at once. */
  readonly batchSize?: number;
}

export interface BatchSweeper extends Worker {
  /** Deletes every row due by now, batch after batch; resolves how many. */
  sweepOnce(): Promise<number>;
}

/**
 * Background deletion of rows that have served their time (expired keys, old inbox
 * rows): a sweep on start and one per interval, never two at once, each a loop of small
 * batches. A failed sweep (the database away) is logged and the next interval tries again.
 */
export function createBatchSweeper(options: BatchSweeperOptions): BatchSweeper {
  const batchSize = options.batchSize ?? 1_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function sweepOnce(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = await options.deleteBatch(batchSize);
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
          if (deleted > 0) options.logger.info({ deleted }, `${options.what} deleted`);
        },
        (err: unknown) => options.logger.warn({ err }, `deleting ${options.what} failed`),
      )
      .finally(() => {
        running = undefined;
      });
  };

  return {
    name: options.name,
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
