import { runService, tokenVerifierFromConfig } from '@storekeeper/platform';
import { closeUpstreams, createUpstreams } from './adapters/upstreams.ts';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

await runService({
  name: 'gateway',
  configSchema,
  async build({ config, logger, lifecycle }) {
    const upstreams = createUpstreams(config, logger);
    const tokens = tokenVerifierFromConfig(config);
    const app = await buildApp({ config, logger, lifecycle, upstreams, tokens });
    app.addHook('onClose', async () => closeUpstreams(upstreams));
    return app;
  },
});
