import { buildServiceApp, type Lifecycle, type ServiceApp } from '@storekeeper/platform';
import type { Logger } from 'pino';
import type { Config } from './config.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}

/**
 * The gateway as a Fastify instance that never listens (server.ts does that). It is
 * stateless: ready means not shutting down. It deliberately does not wait for the
 * services behind it, so one slow service cannot take the whole API out of the
 * load balancer; their state is reported per route and by /api/status.
 */
export async function buildApp(deps: AppDeps): Promise<ServiceApp> {
  return buildServiceApp({
    name: 'gateway',
    description: 'The public API of Storekeeper',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    readiness: [],
    loadShedding: { maxEventLoopDelayMs: deps.config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    routes: async () => {},
  });
}
