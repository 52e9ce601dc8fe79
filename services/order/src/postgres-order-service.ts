import { randomUUID } from 'node:crypto';
import { createOutbox } from '@storekeeper/messaging';
import {
  type PostgresClient,
  type PostgresPool,
  type ServiceClient,
  withTransaction,
} from '@storekeeper/platform';
import { createHttpUserDirectory } from './adapters/http-user-directory.ts';
import { createPostgresIdempotencyKeyStore } from './adapters/postgres-idempotency-key-store.ts';
import { createPostgresOrderStore } from './adapters/postgres-order-store.ts';
import { createOrderService, type OrderService } from './domain/order-service.ts';

export interface PostgresOrderServiceOptions {
  readonly pool: PostgresPool;
  /** The client of the user service's internal API. */
  readonly userService: ServiceClient;
  readonly keyTtlHours: number;
  /** The clock; tests move it to expire keys. */
  readonly now?: () => Date;
}

/**
 * The order domain wired to PostgreSQL and the user service: one assembly for the HTTP
 * app and the event handlers, so both act on orders the same way.
 */
export function createPostgresOrderService(
  options: PostgresOrderServiceOptions,
): OrderService<PostgresClient> {
  return createOrderService({
    store: createPostgresOrderStore(createOutbox()),
    keys: createPostgresIdempotencyKeyStore(),
    users: createHttpUserDirectory(options.userService),
    db: options.pool,
    transaction: (work) => withTransaction(options.pool, work),
    newId: randomUUID,
    now: options.now ?? (() => new Date()),
    keyTtlMs: options.keyTtlHours * 3_600_000,
  });
}
