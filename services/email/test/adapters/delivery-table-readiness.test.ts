import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLifecycle, type ServiceApp } from '@storekeeper/platform';
import {
  createTcpProxy,
  describeWithBackends,
  type TcpProxy,
  uniqueName,
  waitFor,
} from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { awsBackends, emailConfig, logger, provisionEmailTable } from '../helper.ts';

describeWithBackends('delivery table readiness', () => {
  let proxy: TcpProxy;
  let dynamo: DynamoDBClient;
  let app: ServiceApp;

  beforeAll(async () => {
    const { region, credentials, dynamoEndpoint } = awsBackends();
    if (!dynamoEndpoint) throw new Error('the backends have no DynamoDB endpoint');
    const tableName = await provisionEmailTable();
    // Through a proxy the test can cut, to play an unreachable DynamoDB.
    proxy = await createTcpProxy(dynamoEndpoint);
    dynamo = new DynamoDBClient({
      region,
      endpoint: proxy.url(dynamoEndpoint),
      credentials,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1_000 },
      maxAttempts: 1,
    });
    const config = await emailConfig(tableName);
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
    const config = await emailConfig(uniqueName('missing-'));
    const orphan = await buildApp({ config, logger, lifecycle: createLifecycle(), dynamo });
    const response = await orphan.inject('/health/ready');
    await orphan.close();
    expect(response.statusCode).toBe(503);
  });
});
