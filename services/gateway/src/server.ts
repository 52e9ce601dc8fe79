import { createTokenVerifier, runService } from '@storekeeper/platform';
import { closeUpstreams, createUpstreams } from './adapters/upstreams.ts';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

await runService({
  name: 'gateway',
  configSchema,
  async build({ config, logger, lifecycle }) {
    const upstreams = createUpstreams(config, logger);
    const tokens = createTokenVerifier({
      jwksUrl: config.JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    const app = await buildApp({ config, logger, lifecycle, upstreams, tokens });
    app.addHook('onClose', async () => closeUpstreams(upstreams));
    return app;
  },
});
