import { randomUUID } from 'node:crypto';
import { createOutbox } from '@storekeeper/messaging';
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
import { createPostgresBillingStore } from './adapters/postgres-billing-store.ts';
import type { Config } from './config.ts';
import { createBillingService } from './domain/billing-service.ts';
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
  const billing = createBillingService({
    // The HTTP API only reads: nothing is ever written to this outbox.
    store: createPostgresBillingStore(createOutbox()),
    accountDefaults: {
      creditLimitCents: deps.config.DEFAULT_CREDIT_LIMIT_CENTS,
      currency: deps.config.BILLING_CURRENCY,
    },
    newId: randomUUID,
  });
  return buildServiceApp({
    name: 'billing',
    description: 'Billing accounts, credit limits and charges',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    readiness: [postgresReadinessCheck(deps.pool), ...(deps.readiness ?? [])],
    loadShedding: { maxEventLoopDelayMs: deps.config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    environment: deps.config.NODE_ENV,
    routes: billingRoutes({
      billing,
      pool: deps.pool,
      authenticate: createAuthenticationHook(deps.tokens),
    }),
  });
}
