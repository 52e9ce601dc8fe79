/**
 * The compose stack's bootstrap job: creates what the services expect to exist before
 * they start, from the services' manifests and the contracts' topology, with the same
 * provisioning code as `pnpm start` and the tests (`@storekeeper/local-cloud`):
 *
 * - a database and a login role per PostgreSQL service, with the password compose gives
 *   that service (`<SERVICE>_DB_PASSWORD`, default `<service>-local-dev`);
 * - the DynamoDB tables;
 * - the SNS topics, SQS queues, dead-letter queues and subscriptions (the topology);
 * - the user service's token-signing key, generated here and kept where ECS keeps it: an
 *   SSM SecureString under the service's `SSM_PARAMETER_PATH`.
 *
 * Idempotent, so it runs on every `docker compose up`. Run it by hand against any
 * PostgreSQL and AWS endpoint with:
 *
 *   PG_ADMIN_URL=... AWS_ENDPOINT_URL=... AWS_REGION=... \
 *     node --conditions=@storekeeper/source deploy/compose/bootstrap.ts
 */
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  declaredDatabases,
  provisionDynamoTables,
  provisionPostgres,
  provisionTopology,
} from '../../shared/local-cloud/src/index.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bootstrap: ${name} is not set`);
  return value;
}

const adminUrl = required('PG_ADMIN_URL');
const endpoint = required('AWS_ENDPOINT_URL');
const region = required('AWS_REGION');
const credentials = {
  accessKeyId: required('AWS_ACCESS_KEY_ID'),
  secretAccessKey: required('AWS_SECRET_ACCESS_KEY'),
};

// docker-compose.yml gives each service `<SERVICE>_DB_PASSWORD:-<service>-local-dev`;
// the same default here, so a service added by `pnpm new-service` needs no line here.
const passwords = Object.fromEntries(
  declaredDatabases().map(({ service }) => {
    const variable = `${service.toUpperCase().replaceAll('-', '_')}_DB_PASSWORD`;
    return [service, process.env[variable] || `${service}-local-dev`];
  }),
);
const databases = await provisionPostgres(adminUrl, { passwords });
for (const { service, database, role } of Object.values(databases)) {
  console.info(`bootstrap: PostgreSQL database ${database}, role ${role} (${service})`);
}

const tables = await provisionDynamoTables(endpoint, { region, credentials });
for (const { tableName, created, timeToLive } of tables) {
  const expiry = timeToLive ? `, item expiry ${timeToLive}` : '';
  console.info(
    `bootstrap: DynamoDB table ${tableName} (${created ? 'created' : 'present'}${expiry})`,
  );
}

// SSM_PARAMETER_PATH of the user service in docker-compose.yml.
const userParameterPath = '/storekeeper/local/user';
const keyCreated = await putSecretOnce(
  `${userParameterPath}/JWT_PRIVATE_KEY`,
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string,
);
console.info(
  `bootstrap: SSM ${userParameterPath}/JWT_PRIVATE_KEY (${keyCreated ? 'created' : 'present'})`,
);

// The names the services derive too: no TOPOLOGY_PREFIX or TOPOLOGY_SUFFIX in compose.
const topology = await provisionTopology({
  region,
  credentials,
  endpoints: { default: endpoint },
});
for (const topic of Object.values(topology.topics).filter((t) => t !== undefined)) {
  console.info(`bootstrap: SNS topic ${topic.name}`);
}
for (const queue of Object.values(topology.queues)) {
  console.info(`bootstrap: SQS queue ${queue.name} (dead letters: ${queue.deadLetterQueue.name})`);
}

/** A SecureString that is written once: a key already there (and tokens signed with it) stays valid. */
async function putSecretOnce(name: string, value: string): Promise<boolean> {
  const { SSMClient, PutParameterCommand, ParameterAlreadyExists } = loadSsmSdk();
  const client = new SSMClient({ endpoint, region, credentials });
  try {
    await client.send(
      new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: false }),
    );
    return true;
  } catch (error) {
    if (error instanceof ParameterAlreadyExists) return false;
    throw error;
  } finally {
    client.destroy();
  }
}

interface SsmSdk {
  SSMClient: new (config: object) => { send(command: unknown): Promise<unknown>; destroy(): void };
  PutParameterCommand: new (input: object) => unknown;
  ParameterAlreadyExists: new (...args: never[]) => Error;
}

/** The AWS SDK as local-cloud has it: this script belongs to no package of its own. */
function loadSsmSdk(): SsmSdk {
  const requireFromLocalCloud = createRequire(
    new URL('../../shared/local-cloud/package.json', import.meta.url),
  );
  return requireFromLocalCloud('@aws-sdk/client-ssm') as SsmSdk;
}
