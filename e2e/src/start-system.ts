import { generateKeyPairSync } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readServiceManifests, type ServiceEntry } from '@storekeeper/contracts/manifest';
import {
  type BackendConnection,
  createMessagingClients,
  createSupervisor,
  declaredTables,
  launchServices,
  type MessagingClients,
  messagingEndpoints,
  type ProvisionedTopology,
  provisionDynamoTables,
  provisionTopology,
  type SupervisedProcess,
} from '@storekeeper/local-cloud';
import { createTestDatabase, type TestDatabase, uniqueName } from '@storekeeper/testing';
import { freePort } from './free-port.ts';

export interface RunningService {
  readonly name: string;
  readonly url: string;
  readonly process: SupervisedProcess;
  /** Everything it wrote, stdout and stderr, line by line. */
  readonly lines: string[];
}

export interface SystemUnderTest {
  readonly gatewayUrl: string;
  readonly services: Readonly<Record<string, RunningService>>;
  /** Each PostgreSQL service's database, by service. */
  readonly databases: Readonly<Record<string, TestDatabase>>;
  readonly topology: ProvisionedTopology;
  readonly messaging: MessagingClients;
  /** The user service's signing key, to forge tokens the way an attacker with it could. */
  readonly signingKeyPem: string;
  readonly config: { readonly issuer: string; readonly audience: string };
  /** One running service; throws for a name the system does not have. */
  service(name: string): RunningService;
  /** A PostgreSQL service's database; throws for a service without one. */
  database(service: string): TestDatabase;
  /** Every line every service logged. */
  logs(): string;
  /** Stops one service (SIGTERM, as ECS does) and resolves once it has exited. */
  stopService(name: string): Promise<void>;
  /**
   * Starts a stopped service again, as it was, and resolves once it is ready, with the
   * milliseconds from its spawn to its first ready answer.
   */
  startService(name: string): Promise<number>;
  stop(): Promise<void>;
}

export interface StartSystemOptions {
  readonly connection: BackendConnection;
  /** Extra variables for one service, e.g. a lower rate limit for the gateway. */
  readonly env?: Readonly<Record<string, Record<string, string>>>;
  /** Where each service's output goes besides `lines` (e.g. the terminal in `serve`). */
  readonly echo?: (service: string, line: string) => void;
  /** From the TypeScript source (default) or from each service's built `dist`. */
  readonly from?: 'source' | 'dist';
  /**
   * Each service's standard output appended to this file, instead of read into `lines`
   * (standard error still is): what the gateway bench measures the services with, so
   * that reading their log lines is not counted as their cost.
   */
  readonly stdoutFile?: string;
}

/**
 * The whole system as separate processes, started by the same launcher as `pnpm start`
 * (each service's manifest: migrations, then `src/server.ts`, configured only by its
 * environment), on an isolated slice of the run's backends: fresh databases, a topology
 * copy with its own suffix, its own copies of the tables. Several systems can run side
 * by side on one set of backends.
 */
export async function startSystem(options: StartSystemOptions): Promise<SystemUnderTest> {
  const { connection } = options;
  const entries = readServiceManifests();
  const lines = new Map<string, string[]>(entries.map((e) => [e.manifest.name, []]));
  let stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'a');
  const supervisor = createSupervisor(
    (name, line) => {
      const service = name.replace(/:migrate$/, '');
      lines.get(service)?.push(line);
      options.echo?.(name, line);
    },
    stdoutFd === undefined ? {} : { stdout: stdoutFd },
  );
  const databases: Record<string, TestDatabase> = {};
  const aws = connection.aws;
  const credentials = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
  const messaging = createMessagingClients({
    region: aws.region,
    credentials,
    endpoints: messagingEndpoints(connection),
  });
  let processes: readonly SupervisedProcess[] = [];

  const stop = async () => {
    await supervisor.stop(processes, 20_000);
    if (stdoutFd !== undefined) closeSync(stdoutFd);
    stdoutFd = undefined;
    messaging.destroy();
    await Promise.all(Object.values(databases).map((db) => db.drop()));
  };

  try {
    for (const { manifest } of entries) {
      if (manifest.stores.postgres) {
        databases[manifest.name] = await createTestDatabase(manifest.name, { connection });
      }
    }
    const suffix = uniqueName('-e', 12);
    const topology = await provisionTopology({
      clients: messaging,
      suffix,
      // Short long-polls so a stopping consumer returns quickly; quick retries for tests.
      settings: { waitTimeSeconds: 2, retryBaseDelaySeconds: 1, retryMaxDelaySeconds: 4 },
    });
    const tables = declaredTables(entries).map((table) => ({
      ...table,
      copy: uniqueName(`${table.tableName}-`),
    }));
    await provisionDynamoTables(aws.endpoints.dynamodb ?? aws.endpoints.default, {
      region: aws.region,
      credentials,
      tables: tables.map((table) => ({ ...table, tableName: table.copy })),
    });

    const ports = Object.fromEntries(
      await Promise.all(entries.map(async (e) => [e.manifest.name, await freePort()] as const)),
    );
    const signingKeyPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const launchOptions = {
      services: entries,
      backends: {
        connection,
        databaseUrls: Object.fromEntries(
          Object.entries(databases).map(([name, db]) => [name, db.url]),
        ),
        tableNames: Object.fromEntries(tables.map((t) => [t.tableName, t.copy])),
      },
      ports,
      supervisor,
      baseEnv: { PATH: process.env.PATH ?? '' },
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        TOPOLOGY_SUFFIX: suffix,
        SHUTDOWN_TIMEOUT_MS: '15000',
        // Shedding is tested in the kit. Here it is off: on a CPU-starved test machine the
        // event loop of a freshly started service lags for seconds, and an honest 503
        // OVERLOADED would fail a test that is about something else.
        LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      },
      serviceEnv: mergeEnv(
        {
          user: { JWT_PRIVATE_KEY: signingKeyPem },
          email: { VERIFY_EMAIL_URL: 'http://storekeeper.test/verify-email' },
          gateway: {
            AUTH_RATE_LIMIT_PER_MINUTE: '1000',
            // A loaded CI machine can take seconds for one scrypt hash; the tests are about
            // behaviour, so the gateway waits rather than answering 503.
            UPSTREAM_TIMEOUT_MS: '20000',
          },
        },
        options.env ?? {},
      ),
      readyTimeoutMs: 60_000,
      ...(options.from ? { from: options.from } : {}),
    };
    const launched = await launchServices(launchOptions);
    processes = launched.processes;
    if (launched.outcome !== 'ready') {
      throw new Error(launched.reason ?? 'the system stopped before it was ready');
    }

    const services = Object.fromEntries(
      entries.map(({ manifest }) => [manifest.name, runningService(manifest.name)]),
    );
    const gateway = services.gateway;
    if (!gateway) throw new Error('the system has no gateway');
    return {
      gatewayUrl: gateway.url,
      services,
      databases,
      topology,
      messaging,
      signingKeyPem,
      config: { issuer: 'storekeeper-user', audience: 'storekeeper-api' },
      service: (name) => required(services[name], `no service "${name}"`),
      database: (name) => required(databases[name], `"${name}" has no database`),
      logs: () => [...lines.values()].flat().join('\n'),
      async stopService(name) {
        const running = processes.filter((p) => p.name === name && !p.hasExited);
        await supervisor.stop(running, 20_000);
      },
      async startService(name) {
        const again = await launchServices({ ...launchOptions, only: [name] });
        processes = [...processes, ...again.processes];
        if (again.outcome !== 'ready') throw new Error(again.reason ?? `${name} did not start`);
        const service = services[name];
        const process_ = again.processes.find((p) => p.name === name);
        if (service && process_) services[name] = { ...service, process: process_ };
        return again.readyAfterMs[name] ?? Number.NaN;
      },
      stop,
    };

    function runningService(name: string): RunningService {
      const process_ = processes.find((p) => p.name === name);
      if (!process_) throw new Error(`${name} was not started`);
      return {
        name,
        url: launched.urls[name] ?? '',
        process: process_,
        lines: lines.get(name) ?? [],
      };
    }
  } catch (error) {
    const output = [...lines.entries()]
      .map(([name, logged]) => `--- ${name}\n${logged.slice(-20).join('\n')}`)
      .join('\n');
    await stop();
    throw new Error(`the system did not start: ${(error as Error).message}\n${output}`, {
      cause: error,
    });
  }
}

function required<T>(value: T | undefined, problem: string): T {
  if (value === undefined) throw new Error(problem);
  return value;
}

function mergeEnv(
  base: Record<string, Record<string, string>>,
  extra: Readonly<Record<string, Record<string, string>>>,
): Record<string, Record<string, string>> {
  const merged = { ...base };
  for (const [name, env] of Object.entries(extra)) merged[name] = { ...merged[name], ...env };
  return merged;
}

export type { ServiceEntry };
