import {
  provisionDynamoTables,
  provisionPostgres,
  provisionTopology,
} from '@storekeeper/local-cloud';
import type { StartedBackends } from './started-backends.ts';

/**
 * Images, pinned, the same as docker-compose.yml. LocalStack's `latest` (2026.03 onwards)
 * refuses to start without `LOCALSTACK_AUTH_TOKEN`; 4.14.0 is the last community release
 * that runs without one (ADR 0021). Override with POSTGRES_IMAGE / LOCALSTACK_IMAGE, e.g. a
 * current LocalStack together with a token.
 */
export const defaultImages = {
  postgres: 'postgres:17.11-alpine',
  localstack: 'localstack/localstack:4.14.0',
} as const;

/**
 * testcontainers PostgreSQL + LocalStack. Without a container runtime (no Docker here) the
 * result is "unavailable" with the reason, so suites that need backends are skipped and say
 * why, rather than failing or silently passing.
 */
export async function startContainerBackends(
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedBackends> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    return unavailable(`no container runtime: ${(error as Error).message}`);
  }

  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  const token = env.LOCALSTACK_AUTH_TOKEN;
  const started = await Promise.allSettled([
    new PostgreSqlContainer(env.POSTGRES_IMAGE || defaultImages.postgres).start(),
    new LocalstackContainer(env.LOCALSTACK_IMAGE || defaultImages.localstack)
      .withEnvironment({
        SERVICES: 'sqs,sns,dynamodb,ssm,ses',
        ...(token ? { LOCALSTACK_AUTH_TOKEN: token } : {}),
      })
      .start(),
  ]);
  const stopAll = async () => {
    await Promise.allSettled(
      started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)),
    );
  };
  const [postgres, localstack] = started;
  if (postgres?.status !== 'fulfilled' || localstack?.status !== 'fulfilled') {
    await stopAll();
    const failure = started.find((s) => s.status === 'rejected');
    throw new Error('starting the test containers failed', { cause: failure?.reason });
  }

  try {
    const adminUrl = postgres.value.getConnectionUri();
    const endpoint = localstack.value.getConnectionUri();
    const region = env.AWS_REGION || 'us-east-1';
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const [databases] = await Promise.all([
      provisionPostgres(adminUrl),
      provisionDynamoTables(endpoint, { region, credentials }),
      provisionTopology({
        region,
        credentials: { ...credentials },
        endpoints: { default: endpoint },
      }),
    ]);
    return {
      backends: {
        mode: 'containers',
        available: true,
        connection: {
          postgres: { adminUrl, databases },
          aws: { region, ...credentials, endpoints: { default: endpoint } },
        },
        description: `PostgreSQL ${new URL(adminUrl).host}, LocalStack ${endpoint}`,
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function unavailable(reason: string): StartedBackends {
  return {
    backends: { mode: 'containers', available: false, reason },
    stop: async () => undefined,
  };
}
