import { createMessagingClients } from '@storekeeper/contracts/provision';
import {
  createEventConsumer,
  createEventPublisher,
  createOutbox,
  createOutboxRelay,
  createPostgresInbox,
  resolveTopicArns,
  topologyFromConfig,
} from '@storekeeper/messaging';
import { createPostgresPool, runService, tokenVerifierFromConfig } from '@storekeeper/platform';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';
import { billingHandlers } from './handlers/index.ts';

await runService({
  name: 'billing',
  configSchema,
  async build({ config, logger, lifecycle }) {
    const pool = createPostgresPool({
      connectionString: config.DATABASE_URL,
      applicationName: 'billing',
      logger,
    });
    // SNS/SQS endpoints from AWS_ENDPOINT_URL[_SNS|_SQS] (read by the SDK); unset on AWS.
    const aws = createMessagingClients({ region: config.AWS_REGION });
    const topology = topologyFromConfig(config);
    const outbox = createOutbox();
    const publisher = createEventPublisher({
      sns: aws.sns,
      topology,
      topicArns: await resolveTopicArns(aws.sns, topology, ['billing']),
    });
    const relay = createOutboxRelay({ pool, publisher, logger });
    const consumer = createEventConsumer({
      consumer: 'billing',
      topology,
      sqs: aws.sqs,
      logger,
      inbox: createPostgresInbox(pool),
      handlers: billingHandlers(config, outbox),
    });
    const tokens = tokenVerifierFromConfig(config);

    const app = await buildApp({
      config,
      logger,
      lifecycle,
      pool,
      tokens,
      readiness: [consumer.readiness],
    });
    await consumer.start();
    relay.start();
    // Stop taking messages first and let the ones in flight finish, then close the pool.
    app.addHook('preClose', async () => consumer.stop({ timeoutMs: 10_000 }));
    app.addHook('onClose', async () => {
      await relay.stop();
      await pool.end();
      aws.destroy();
    });
    return app;
  },
});
