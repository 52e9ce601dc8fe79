import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runService } from '@storekeeper/platform';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

await runService({
  name: 'email',
  configSchema,
  async build({ config, logger, lifecycle }) {
    // The endpoint comes from the SDK's own variables (AWS_ENDPOINT_URL[_DYNAMODB]),
    // so the same code talks to dynalite, LocalStack, moto or AWS.
    const dynamo = new DynamoDBClient({
      region: config.AWS_REGION,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
      maxAttempts: 3,
    });
    const app = await buildApp({ config, logger, lifecycle, dynamo });
    app.addHook('onClose', async () => dynamo.destroy());
    return app;
  },
});
