import rateLimit from '@fastify/rate-limit';
import swaggerUi from '@fastify/swagger-ui';
import { publicRoutes } from '@storekeeper/contracts';
import {
  buildServiceApp,
  createAuthenticationHook,
  type Lifecycle,
  type ServiceApp,
  type TokenVerifier,
} from '@storekeeper/platform';
import type { Logger } from 'pino';
import { createSystemStatus } from './adapters/system-status.ts';
import { traceFileReader } from './adapters/trace-file.ts';
import type { Upstreams } from './adapters/upstreams.ts';
import type { Config } from './config.ts';
import { devTraceRoutes } from './routes/dev-trace-routes.ts';
import { forwardedRoutes } from './routes/forwarded-routes.ts';
import { overviewRoutes } from './routes/overview-routes.ts';
import { statusRoutes } from './routes/status-routes.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly upstreams: Upstreams;
  readonly tokens: TokenVerifier;
}

/**
 * The gateway as a Fastify instance that never listens (server.ts does that). It is
 * stateless: ready means not shutting down. It deliberately does not wait for the
 * services behind it, so one slow service cannot take the whole API out of the load
 * balancer; an unavailable service shows as 503 on its own routes, and in /api/status.
 *
 * Only the routes declared here exist: the contracts' public routes, the overview and the
 * status.
 * Nothing under /internal is ever forwarded.
 */
export async function buildApp(deps: AppDeps): Promise<ServiceApp> {
  const { config, upstreams } = deps;
  const authenticate = createAuthenticationHook(deps.tokens);
  return buildServiceApp({
    name: 'gateway',
    description: 'The public API of Storekeeper. Errors are RFC 9457 problem+json.',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    readiness: [],
    trustedProxyHops: config.TRUSTED_PROXY_HOPS,
    loadShedding: { maxEventLoopDelayMs: config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    environment: config.NODE_ENV,
    routes: async (app) => {
      await app.register(rateLimit, {
        global: false,
        errorResponseBuilder: (_request, context) =>
          Object.assign(new Error(`Too many requests; retry in ${context.after}`), {
            statusCode: 429,
          }),
      });
      await app.register(swaggerUi, { routePrefix: '/docs' });
      await app.register(
        forwardedRoutes(publicRoutes, {
          upstreams,
          authenticate,
          rateLimit: { max: config.AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' },
          devRoutes: config.NODE_ENV !== 'production',
        }),
      );
      await app.register(
        overviewRoutes({ upstreams, authenticate, timeoutMs: config.OVERVIEW_TIMEOUT_MS }),
      );
      const status = createSystemStatus(upstreams, {
        probeTimeoutMs: config.STATUS_PROBE_TIMEOUT_MS,
      });
      await app.register(statusRoutes(status));
      if (config.NODE_ENV !== 'production') {
        await app.register(devTraceRoutes(traceFileReader(config.DEV_TRACE_FILE)));
      }
    },
  });
}
