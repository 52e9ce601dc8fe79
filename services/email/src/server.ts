import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createMessagingClients } from '@storekeeper/contracts/provision';
import { topologyFromConfig } from '@storekeeper/messaging';
import { runService } from '@storekeeper/platform';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';
import { createEmailConsumer } from './consumer.ts';

await runService({
  name: 'email',
  configSchema,
  async build({ config, logger, lifecycle }) {
    // Endpoints come from the SDK's own variables (AWS_ENDPOINT_URL[_DYNAMODB|_SQS|_SES]),
    // so the same code talks to dynalite/fauxqs, LocalStack, moto or AWS.
    const clientOptions = {
      region: config.AWS_REGION,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
      maxAttempts: 3,
    };
    const dynamo = new DynamoDBClient(clientOptions);
    const ses = new SESv2Client(clientOptions);
    const aws = createMessagingClients({ region: config.AWS_REGION });
    const consumer = createEmailConsumer({
      config,
      logger,
      topology: topologyFromConfig(config),
      sqs: aws.sqs,
      dynamo,
      ses,
    });
    const app = await buildApp({
      config,
      logger,
      lifecycle,
      dynamo,
      readiness: [consumer.readiness],
    });
    await consumer.start();
    // Stop taking messages first and let the ones in flight finish, then close clients.
    app.addHook('preClose', async () => consumer.stop({ timeoutMs: 10_000 }));
    app.addHook('onClose', async () => {
      dynamo.destroy();
      ses.destroy();
      aws.destroy();
    });
    return app;
  },
});
