import {
  buildServiceApp,
  createAuthenticationHook,
  type Lifecycle,
  type PostgresPool,
  postgresReadinessCheck,
  type ReadinessCheck,
  type ServiceApp,
  type ServiceClient,
  type TokenVerifier,
} from '@storekeeper/platform';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createPostgresOrderService } from './postgres-order-service.ts';
import { orderRoutes } from './routes/order-routes.ts';
import { productRoutes } from './routes/product-routes.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly pool: PostgresPool;
  readonly tokens: TokenVerifier;
  /** The user service's internal API: is the customer's email verified? */
  readonly userService: ServiceClient;
  /** Besides the database: the event consumer's queue, when it runs in this process. */
  readonly readiness?: readonly ReadinessCheck[];
  /** The clock; tests move it to expire idempotency keys. */
  readonly now?: () => Date;
}

/** The order service as a Fastify instance that never listens (server.ts does that). */
export async function buildApp(deps: AppDeps): Promise<ServiceApp> {
  const orders = createPostgresOrderService({
    pool: deps.pool,
    userService: deps.userService,
    keyTtlHours: deps.config.IDEMPOTENCY_KEY_TTL_HOURS,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const authenticate = createAuthenticationHook(deps.tokens);
  return buildServiceApp({
    name: 'order',
    description:
      'Product catalogue and orders: the order state machine (event-sourced, with a read model)',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    // Not the user service: without it orders cannot be placed, but they can be read.
    readiness: [postgresReadinessCheck(deps.pool), ...(deps.readiness ?? [])],
    loadShedding: { maxEventLoopDelayMs: deps.config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    environment: deps.config.NODE_ENV,
    routes: async (app) => {
      await app.register(productRoutes(orders));
      await app.register(orderRoutes({ orders, authenticate }));
    },
  });
}
