import { DeleteParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsEnv } from '@storekeeper/local-cloud';
import { describeWithBackends, requireBackends, uniqueName } from '@storekeeper/testing';
import { Type } from 'typebox';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineConfig, loadConfig, Secret } from '../src/config.ts';
import { loadSsmParameters } from '../src/ssm-parameters.ts';
import { listeningPort, spawnFixture } from './fixtures/spawn-service.ts';

const schema = defineConfig(
  { port: 3001 },
  {
    JWT_PRIVATE_KEY: Secret(Type.String({ minLength: 1 })),
    GREETING: Type.String({ default: 'hello' }),
  },
);

describeWithBackends('SSM Parameter Store overlay', () => {
  const { aws } = requireBackends().connection;
  const endpoint = aws.endpoints.ssm ?? aws.endpoints.default;

  // Embedded mode has no SSM (fauxqs and dynalite speak SQS/SNS and DynamoDB only); moto
  // and LocalStack do, so CI's external mode runs this suite.
  describe.skipIf(!endpoint)(
    `[needs an SSM endpoint: ${endpoint ? 'present' : 'none in this mode, skipped'}]`,
    () => {
      const path = `/storekeeper/${uniqueName('test-')}/user`;
      const secret = `ssm-secure-value-${uniqueName('')}`;
      let client: SSMClient;

      beforeAll(async () => {
        client = new SSMClient({
          region: aws.region,
          endpoint,
          credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
        });
        const put = (name: string, value: string, type: 'String' | 'SecureString') =>
          client.send(
            new PutParameterCommand({
              Name: `${path}/${name}`,
              Value: value,
              Type: type,
              Overwrite: true,
            }),
          );
        await put('JWT_PRIVATE_KEY', secret, 'SecureString');
        await client.send(
          new PutParameterCommand({
            Name: `${path}-process/FIXTURE_REQUIRED`,
            Value: secret,
            Type: 'SecureString',
          }),
        );
        await put('PORT', '4100', 'String');
        await put('nested/GREETING', 'from a nested path', 'String');
        return async () => {
          const names = ['JWT_PRIVATE_KEY', 'PORT', 'nested/GREETING'].map((n) => `${path}/${n}`);
          await client.send(
            new DeleteParametersCommand({ Names: [...names, `${path}-process/FIXTURE_REQUIRED`] }),
          );
          client.destroy();
        };
      });

      it('overlays the environment with every parameter under the path, SecureStrings decrypted', async () => {
        const { config, secrets } = await loadConfig(schema, {
          env: { SSM_PARAMETER_PATH: path, PORT: '3999', JWT_PRIVATE_KEY: 'from the environment' },
          loadParameters: (p, region) => loadSsmParameters(p, region, client),
        });
        expect(config.JWT_PRIVATE_KEY).toBe(secret);
        expect(config.PORT).toBe(4100);
        expect(config).toMatchObject({ GREETING: 'hello' });
        expect(secrets).toContain(secret);
      });

      it('names the path, not a value, when the parameters cannot be read', async () => {
        const broken = new SSMClient({
          region: aws.region,
          endpoint: 'http://127.0.0.1:9',
          credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
          maxAttempts: 1,
        });
        const error = await loadConfig(schema, {
          env: { SSM_PARAMETER_PATH: path },
          loadParameters: (p, region) => loadSsmParameters(p, region, broken),
        }).catch((e: Error) => e);
        broken.destroy();
        expect((error as Error).message).toContain(`Could not read SSM parameters under ${path}`);
      });

      it('starts a real service from SSM alone, and its logs never show the SecureString', async () => {
        // FIXTURE_REQUIRED is not in the environment: the process can only start by reading SSM.
        const service = spawnFixture({
          ...awsEnv(requireBackends().connection),
          SSM_PARAMETER_PATH: `${path}-process`,
          SLOW_MS: '0',
        });
        const port = await listeningPort(service);
        const failed = await fetch(`http://127.0.0.1:${port}/fail`);
        expect(failed.status).toBe(500);
        expect(await failed.text()).not.toContain(secret);
        await service.waitForLog((l) => l.msg === 'request failed');
        service.child.kill('SIGTERM');
        expect((await service.exited).code).toBe(0);
        const everything = JSON.stringify(service.lines) + service.stderr();
        expect(everything).toContain('failing on purpose');
        expect(everything).not.toContain(secret);
      });
    },
  );
});
