import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoTables } from '@storekeeper/contracts';
import { provisionDynamoTables } from '@storekeeper/local-cloud';
import { createLifecycle, createLogger, loadConfig, type ServiceApp } from '@storekeeper/platform';
import {
  createTcpProxy,
  describeWithBackends,
  requireBackends,
  type TcpProxy,
  uniqueName,
  waitFor,
} from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';

const logger = createLogger({ service: 'email-test', level: 'silent' });

describeWithBackends('email service', () => {
  let proxy: TcpProxy;
  let dynamo: DynamoDBClient;
  let app: ServiceApp;

  beforeAll(async () => {
    const { aws } = requireBackends().connection;
    const endpoint = aws.endpoints.dynamodb ?? aws.endpoints.default;
    if (!endpoint) throw new Error('the backends have no DynamoDB endpoint');
    const credentials = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
    // A table of its own, declared like the real one, so suites never share data.
    const tableName = uniqueName('email-deliveries-');
    const declared = dynamoTables.find((table) => table.service === 'email');
    if (!declared) throw new Error('contracts declare no email table');
    await provisionDynamoTables(endpoint, {
      region: aws.region,
      credentials,
      tables: [{ ...declared, tableName }],
    });

    proxy = await createTcpProxy(endpoint);
    dynamo = new DynamoDBClient({
      region: aws.region,
      endpoint: proxy.url(endpoint),
      credentials,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1_000 },
      maxAttempts: 1,
    });
    const { config } = await loadConfig(configSchema, { env: { DELIVERIES_TABLE: tableName } });
    app = await buildApp({ config, logger, lifecycle: createLifecycle(), dynamo });
    return async () => {
      await app.close();
      dynamo.destroy();
      await proxy.close();
    };
  });

  it('is ready when its delivery table is active', async () => {
    const ready = await app.inject('/health/ready');
    expect(ready.json()).toEqual({ status: 'ready', checks: { 'deliveries-table': 'ok' } });
  });

  it('turns not ready while DynamoDB is unreachable and ready again when it returns, without a restart', async () => {
    await proxy.cut();
    const down = await app.inject('/health/ready');
    expect(down.statusCode).toBe(503);
    expect(down.json().checks['deliveries-table']).toMatch(/^failed/);

    await proxy.restore();
    await waitFor(async () => (await app.inject('/health/ready')).statusCode === 200, {
      timeout: 10_000,
      description: 'readiness back to 200 after DynamoDB returned',
    });
  });

  it('is not ready when its table does not exist', async () => {
    const { config } = await loadConfig(configSchema, {
      env: { DELIVERIES_TABLE: uniqueName('missing-') },
    });
    const orphan = await buildApp({ config, logger, lifecycle: createLifecycle(), dynamo });
    const response = await orphan.inject('/health/ready');
    await orphan.close();
    expect(response.statusCode).toBe(503);
  });
});
