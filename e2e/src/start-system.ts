import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { dynamoTables, type ServiceName } from '@storekeeper/contracts';
import {
  createMessagingClients,
  type MessagingClients,
  type ProvisionedTopology,
  provisionTopology,
} from '@storekeeper/contracts/provision';
import {
  awsEnv,
  type BackendConnection,
  messagingEndpoints,
  provisionDynamoTables,
} from '@storekeeper/local-cloud';
import { createLogger, migrate } from '@storekeeper/platform';
import { createTestDatabase, type TestDatabase, uniqueName, waitFor } from '@storekeeper/testing';
import { freePort } from './free-port.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const names = [
  'user',
  'billing',
  'email',
  'order',
  'gateway',
] as const satisfies readonly ServiceName[];
const postgresServices = ['user', 'order', 'billing'] as const;

export interface RunningService {
  readonly name: ServiceName;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote, stdout and stderr, line by line. */
  readonly lines: string[];
}

export interface SystemUnderTest {
  readonly gatewayUrl: string;
  readonly services: Readonly<Record<ServiceName, RunningService>>;
  readonly databases: Readonly<Record<(typeof postgresServices)[number], TestDatabase>>;
  readonly topology: ProvisionedTopology;
  readonly messaging: MessagingClients;
  /** The user service's signing key, to forge tokens the way an attacker with it could. */
  readonly signingKeyPem: string;
  readonly config: { readonly issuer: string; readonly audience: string };
  /** Every line every service logged. */
  logs(): string;
  stop(): Promise<void>;
}

export interface StartSystemOptions {
  readonly connection: BackendConnection;
  /** Extra variables for one service, e.g. a lower rate limit for the gateway. */
  readonly env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Where each service's output goes besides `lines` (e.g. the terminal in `serve`). */
  readonly echo?: (service: ServiceName, line: string) => void;
}

/**
 * The whole system as separate processes, started the way production starts it
 * (`src/server.ts`, configured only by environment), on an isolated slice of the run's
 * backends: fresh databases, a topology copy with its own suffix, its own DynamoDB table.
 * Several systems can run side by side on one set of backends.
 */
export async function startSystem(options: StartSystemOptions): Promise<SystemUnderTest> {
  const { connection } = options;
  const logger = createLogger({ service: 'e2e', level: 'warn' });
  const started: RunningService[] = [];
  const databases: Partial<Record<(typeof postgresServices)[number], TestDatabase>> = {};
  const aws = connection.aws;
  const credentials = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
  const messaging = createMessagingClients({
    region: aws.region,
    credentials,
    endpoints: messagingEndpoints(connection),
  });

  const stop = async () => {
    await Promise.all(started.map((service) => stopProcess(service.child)));
    messaging.destroy();
    await Promise.all(Object.values(databases).map((db) => db.drop()));
  };

  try {
    for (const service of postgresServices) {
      const db = await createTestDatabase(service, { connection });
      databases[service] = db;
      await migrate({ databaseUrl: db.url, dir: `${root}services/${service}/migrations`, logger });
    }
    const suffix = uniqueName('-e', 12);
    const topology = await provisionTopology({
      clients: messaging,
      suffix,
      // Short long-polls so a stopping consumer returns quickly; quick retries for tests.
      settings: { waitTimeSeconds: 2, retryBaseDelaySeconds: 1, retryMaxDelaySeconds: 4 },
    });
    const tableName = uniqueName('email-deliveries-');
    const declared = dynamoTables.find((table) => table.service === 'email');
    if (!declared) throw new Error('contracts declare no email table');
    await provisionDynamoTables(aws.endpoints.dynamodb ?? aws.endpoints.default, {
      region: aws.region,
      credentials,
      tables: [{ ...declared, tableName }],
    });

    const ports = Object.fromEntries(
      await Promise.all(names.map(async (n) => [n, await freePort()])),
    ) as Record<ServiceName, number>;
    const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
    const signingKeyPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export(
      {
        type: 'pkcs8',
        format: 'pem',
      },
    ) as string;
    const jwksUrl = `${url('user')}/.well-known/jwks.json`;
    const common = {
      ...awsEnv(connection),
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TOPOLOGY_SUFFIX: suffix,
      SHUTDOWN_TIMEOUT_MS: '15000',
      // Shedding is tested in the kit. Here it is off: on a CPU-starved test machine the
      // event loop of a freshly started service lags for seconds, and an honest 503
      // OVERLOADED would fail a test that is about something else.
      LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    };
    const perService: Record<ServiceName, Record<string, string>> = {
      user: { DATABASE_URL: databases.user?.url ?? '', JWT_PRIVATE_KEY: signingKeyPem },
      order: { DATABASE_URL: databases.order?.url ?? '', JWKS_URL: jwksUrl },
      billing: { DATABASE_URL: databases.billing?.url ?? '', JWKS_URL: jwksUrl },
      email: {
        DELIVERIES_TABLE: tableName,
        VERIFY_EMAIL_URL: 'http://storekeeper.test/verify-email',
      },
      gateway: {
        JWKS_URL: jwksUrl,
        USER_SERVICE_URL: url('user'),
        ORDER_SERVICE_URL: url('order'),
        BILLING_SERVICE_URL: url('billing'),
        EMAIL_SERVICE_URL: url('email'),
        AUTH_RATE_LIMIT_PER_MINUTE: '1000',
        // A loaded CI machine can take seconds for one scrypt hash; the tests are about
        // behaviour, so the gateway waits rather than answering 503.
        UPSTREAM_TIMEOUT_MS: '20000',
      },
    };

    for (const name of names) {
      const env = {
        ...common,
        ...perService[name],
        ...options.env?.[name],
        PORT: String(ports[name]),
      };
      started.push(spawnService(name, url(name), env, options.echo));
    }
    await Promise.all(started.map((service) => waitUntilReady(service)));

    const services = Object.fromEntries(started.map((s) => [s.name, s])) as Record<
      ServiceName,
      RunningService
    >;
    return {
      gatewayUrl: url('gateway'),
      services,
      databases: databases as Record<(typeof postgresServices)[number], TestDatabase>,
      topology,
      messaging,
      signingKeyPem,
      config: { issuer: 'storekeeper-user', audience: 'storekeeper-api' },
      logs: () => started.flatMap((s) => s.lines).join('\n'),
      stop,
    };
  } catch (error) {
    const output = started.map((s) => `--- ${s.name}\n${s.lines.slice(-20).join('\n')}`).join('\n');
    await stop();
    throw new Error(`the system did not start: ${(error as Error).message}\n${output}`, {
      cause: error,
    });
  }
}

function spawnService(
  name: ServiceName,
  url: string,
  env: Record<string, string>,
  echo?: (service: ServiceName, line: string) => void,
): RunningService {
  const child = spawn(
    process.execPath,
    ['--conditions=@storekeeper/source', `${root}services/${name}/src/server.ts`],
    {
      cwd: `${root}services/${name}`,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        echo?.(name, line);
      }
    });
  }
  return { name, url, child, lines };
}

async function waitUntilReady(service: RunningService): Promise<void> {
  await waitFor(
    async () => {
      if (service.child.exitCode !== null) {
        throw new Error(
          `${service.name} exited with ${service.child.exitCode}: ${service.lines.slice(-5).join('\n')}`,
        );
      }
      const response = await fetch(`${service.url}/health/ready`).catch(() => undefined);
      return response?.status === 200;
    },
    { timeout: 60_000, interval: 100, description: `${service.name} ready at ${service.url}` },
  );
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
