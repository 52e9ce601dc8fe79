import { publicRouteServices } from '@storekeeper/contracts';
import { defineService, tokenVerifierFromConfig } from '@storekeeper/platform';
import { closeUpstreams, createUpstreams } from './adapters/upstreams.ts';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

/** The gateway: the public API in front of the services; it owns no data. */
export const service = defineService({
  name: 'gateway',
  description: 'Public API: authentication check, routing to the services, rate limits',
  configSchema,
  // Every service with a public route (shared/contracts, http/public-routes.ts).
  calls: publicRouteServices,
  createDeps({ config, logger, closeOnShutdown }) {
    const upstreams = createUpstreams(config, logger);
    closeOnShutdown('upstream clients', () => closeUpstreams(upstreams));
    return { upstreams, tokens: tokenVerifierFromConfig(config) };
  },
  buildApp: (deps, context) => buildApp({ ...context, ...deps }),
});
