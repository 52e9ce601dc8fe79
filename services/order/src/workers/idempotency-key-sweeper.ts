import { type BatchSweeper, createBatchSweeper } from '@storekeeper/platform';
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

/**
 * Deletes expired Idempotency-Keys in the background. Correctness does not depend on it
 * (a claim takes over an expired key itself); it keeps the table as small as a day of
 * orders. Every task sweeps; SKIP LOCKED lets them share the work.
 */
export function idempotencyKeySweeper<Db>(options: IdempotencyKeySweeperOptions<Db>): BatchSweeper {
  const now = options.now ?? (() => new Date());
  return createBatchSweeper({
    name: 'idempotency key sweeper',
    what: 'expired idempotency keys',
    logger: options.logger.child({ component: 'idempotency-key-sweeper' }),
    deleteBatch: (limit) => options.keys.deleteExpired(options.db, now(), limit),
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
}
