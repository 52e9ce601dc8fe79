import {
  provisionDynamoTables,
  provisionPostgres,
  provisionTopology,
} from '@storekeeper/local-cloud';
import type { StartedBackends } from './started-backends.ts';

const required = {
  PG_ADMIN_URL:
    'a PostgreSQL URL of a role that may create roles and databases, ' +
    'e.g. postgresql://postgres:postgres@127.0.0.1:5432/postgres',
  AWS_ENDPOINT_URL:
    'the endpoint of an AWS emulator (moto server, LocalStack), e.g. http://127.0.0.1:5000',
} as const;

/**
 * Servers someone else runs (CI: a PostgreSQL and a moto server). We only provision what
 * contracts declare on them (databases and roles, tables, topology); stopping them is not
 * ours to do.
 */
export async function resolveExternalBackends(
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedBackends> {
  const missing = Object.entries(required).filter(([name]) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new Error(
      `STOREKEEPER_BACKENDS=external needs ${missing
        .map(([name, meaning]) => `${name} (${meaning})`)
        .join(' and ')}`,
    );
  }
  const adminUrl = env.PG_ADMIN_URL as string;
  const endpoint = env.AWS_ENDPOINT_URL as string;
  const region = env.AWS_REGION || 'us-east-1';
  const credentials = {
    accessKeyId: env.AWS_ACCESS_KEY_ID || 'test',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY || 'test',
  };
  const [databases] = await Promise.all([
    provisionPostgres(adminUrl),
    provisionDynamoTables(endpoint, { region, credentials }),
    provisionTopology({
      region,
      credentials: { ...credentials },
      endpoints: { default: endpoint },
    }),
  ]);
  const pgHost = new URL(adminUrl).host;
  return {
    backends: {
      mode: 'external',
      available: true,
      connection: {
        postgres: { adminUrl, databases },
        aws: { region, ...credentials, endpoints: { default: endpoint } },
      },
      description: `PostgreSQL ${pgHost}, AWS ${endpoint}`,
    },
    stop: async () => undefined,
  };
}
