import {
  buildServiceApp,
  createAuthenticationHook,
  type Lifecycle,
  type PostgresPool,
  postgresReadinessCheck,
  type ReadinessCheck,
  type ServiceApp,
  type TokenVerifier,
} from '@storekeeper/platform';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { billingRoutes } from './routes/billing-routes.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly pool: PostgresPool;
  readonly tokens: TokenVerifier;
  /** Besides the database: the event consumer's queue, when it runs in this process. */
  readonly readiness?: readonly ReadinessCheck[];
}

/** The billing service as a Fastify instance that never listens (server.ts does that). */
export async function buildApp(deps: AppDeps): Promise<ServiceApp> {
  return buildServiceApp({
    name: 'billing',
    description: 'Billing accounts, credit limits and charges',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    readiness: [postgresReadinessCheck(deps.pool), ...(deps.readiness ?? [])],
    loadShedding: { maxEventLoopDelayMs: deps.config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    routes: billingRoutes({ pool: deps.pool, authenticate: createAuthenticationHook(deps.tokens) }),
  });
}
