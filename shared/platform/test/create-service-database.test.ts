import { DeleteParameterCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  createLogCapture,
  describeWithBackends,
  requireBackends,
  uniqueName,
} from '@storekeeper/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceDatabase } from '../src/create-service-database.ts';
import { createLogger } from '../src/logger.ts';

describe('migrate --create-database: configuration', () => {
  it('names every variable the one-off task must set', async () => {
    const logger = createLogger({ service: 'test', destination: createLogCapture().stream });
    await expect(createServiceDatabase({ env: { PGHOST: 'db' }, logger })).rejects.toThrow(
      'needs DATABASE_ROLE, DATABASE_NAME, DATABASE_URL_PARAMETER, PGUSER',
    );
  });
});

describeWithBackends('migrate --create-database on a shared server', () => {
  const { aws, postgres } = requireBackends().connection;
  const endpoint = aws.endpoints.ssm ?? aws.endpoints.default;

  // Embedded mode has no SSM; moto and LocalStack do, so CI's external mode runs this.
  describe.skipIf(!endpoint)(
    `[needs an SSM endpoint: ${endpoint ? 'present' : 'none in this mode, skipped'}]`,
    () => {
      const name = uniqueName('svc_').replaceAll('-', '_');
      const parameter = `/storekeeper/${uniqueName('test-')}/svc/DATABASE_URL`;
      const admin = new URL(postgres.adminUrl);
      const env = {
        PGHOST: admin.hostname,
        PGPORT: admin.port || '5432',
        PGUSER: decodeURIComponent(admin.username),
        PGPASSWORD: decodeURIComponent(admin.password),
        PGDATABASE: admin.pathname.slice(1) || 'postgres',
        DATABASE_ROLE: name,
        DATABASE_NAME: name,
        DATABASE_URL_PARAMETER: parameter,
        AWS_REGION: aws.region,
      };
      let ssm: SSMClient;

      beforeAll(() => {
        ssm = new SSMClient({
          region: aws.region,
          endpoint,
          credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
        });
      });
      afterAll(async () => {
        await ssm.send(new DeleteParameterCommand({ Name: parameter })).catch(() => undefined);
        const client = new pg.Client({ connectionString: postgres.adminUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.query(`DROP ROLE IF EXISTS ${name}`);
        await client.end();
        ssm.destroy();
      });

      it('makes the role, its database and its URL as a SecureString, and keeps them on a second run', async () => {
        const capture = createLogCapture();
        const logger = createLogger({
          service: 'svc-create-database',
          destination: capture.stream,
        });

        const first = await createServiceDatabase({ env, logger, ssm });
        expect(first).toMatchObject({ role: name, database: name, urlWritten: true });
        const stored = await ssm.send(
          new GetParameterCommand({ Name: parameter, WithDecryption: true }),
        );
        expect(stored.Parameter?.Type).toBe('SecureString');
        const url = stored.Parameter?.Value ?? '';

        // The URL works, as the service's own role, on its own database.
        const asService = new pg.Client({ connectionString: url });
        await asService.connect();
        const { rows } = await asService.query('SELECT current_user, current_database()');
        await asService.end();
        expect(rows[0]).toEqual({ current_user: name, current_database: name });

        // A second run changes nothing a running service holds.
        const second = await createServiceDatabase({ env, logger, ssm });
        expect(second.urlWritten).toBe(false);
        const again = await ssm.send(
          new GetParameterCommand({ Name: parameter, WithDecryption: true }),
        );
        expect(again.Parameter?.Value).toBe(url);

        const password = new URL(url).password;
        expect(password.length).toBeGreaterThanOrEqual(32);
        expect(capture.lines.join('\n')).not.toContain(password);
        expect(capture.find((r) => r.msg === 'service database ready')).toMatchObject({
          role: name,
          parameter,
        });
      });
    },
  );
});
