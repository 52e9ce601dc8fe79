import {
  buildServiceApp,
  type Lifecycle,
  type PostgresPool,
  postgresReadinessCheck,
  type ServiceApp,
} from '@storekeeper/platform';
import type { Logger } from 'pino';
import type { Config } from './config.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly pool: PostgresPool;
}

/** The billing service as a Fastify instance that never listens (server.ts does that). */
export async function buildApp(deps: AppDeps): Promise<ServiceApp> {
  return buildServiceApp({
    name: 'billing',
    description: 'Billing accounts, credit limits and charges',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    readiness: [postgresReadinessCheck(deps.pool)],
    loadShedding: { maxEventLoopDelayMs: deps.config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    routes: async () => {},
  });
}
