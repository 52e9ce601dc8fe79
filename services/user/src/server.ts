import { createMessagingClients } from '@storekeeper/contracts/provision';
import {
  createEventPublisher,
  createOutbox,
  createOutboxRelay,
  resolveTopicArns,
  topologyFromConfig,
} from '@storekeeper/messaging';
import { createPostgresPool, runService } from '@storekeeper/platform';
import { createTokenIssuer } from './adapters/token-issuer.ts';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

await runService({
  name: 'user',
  configSchema,
  async build({ config, logger, lifecycle }) {
    const tokenIssuer = await createTokenIssuer({
      privateKeyPem: config.JWT_PRIVATE_KEY,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    });
    const pool = createPostgresPool({
      connectionString: config.DATABASE_URL,
      applicationName: 'user',
      logger,
    });
    // SNS endpoint from AWS_ENDPOINT_URL[_SNS] (read by the SDK); unset on AWS.
    const aws = createMessagingClients({ region: config.AWS_REGION });
    const topology = topologyFromConfig(config);
    const publisher = createEventPublisher({
      sns: aws.sns,
      topology,
      topicArns: await resolveTopicArns(aws.sns, topology, ['user']),
    });
    const relay = createOutboxRelay({ pool, publisher, logger });

    const app = await buildApp({
      config,
      logger,
      lifecycle,
      pool,
      tokenIssuer,
      outbox: createOutbox(),
    });
    relay.start();
    // Runs after in-flight requests have finished; the relay's last round is awaited.
    app.addHook('onClose', async () => {
      await relay.stop();
      await pool.end();
      aws.destroy();
    });
    return app;
  },
});
