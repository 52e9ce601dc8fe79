import type { ServiceEntry } from '@storekeeper/contracts/manifest';
import type { BackendConnection } from '../backend-connection.ts';
import type { SupervisedProcess, Supervisor } from './create-supervisor.ts';
import { serviceEnv } from './service-env.ts';
import { waitUntilReady } from './wait-until-ready.ts';

export interface SystemBackends {
  readonly connection: BackendConnection;
  /** Each PostgreSQL service's database URL, by service. */
  readonly databaseUrls: Readonly<Record<string, string>>;
  readonly tableNames?: Readonly<Record<string, string>>;
}

export interface LaunchOptions {
  readonly services: readonly ServiceEntry[];
  /** Start only these (by name), e.g. to bring one back; the others' URLs still apply. */
  readonly only?: readonly string[];
  readonly backends: SystemBackends;
  readonly ports: Readonly<Record<string, number>>;
  readonly supervisor: Supervisor;
  /** Variables for every service, then for one, over what the manifests give. */
  readonly env?: Readonly<Record<string, string>>;
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The rest of the environment (PATH, …); defaults to this process's. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
  /**
   * Each manifest's `dev` commands, from the TypeScript source (the default), or its
   * `start` commands, from the built `dist` as in the images (after `pnpm build`).
   */
  readonly from?: 'source' | 'dist';
  /** Settles when the caller gives up (Ctrl-C); waiting stops then. */
  readonly stop?: Promise<unknown>;
  readonly say?: (line: string) => void;
}

export interface LaunchResult {
  /** `ready`, or why not: a migration or a service that failed, a timeout, a stop. */
  readonly outcome: 'ready' | 'failed' | 'stopped';
  readonly reason?: string;
  readonly processes: readonly SupervisedProcess[];
  readonly urls: Readonly<Record<string, string>>;
  /** Milliseconds from spawn to the first 200 from the readiness probe, by service. */
  readonly readyAfterMs: Readonly<Record<string, number>>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The services as processes, read off their manifests: each one's migrations (the
 * `migrate` command) to completion, then every service at once with the environment its
 * manifest calls for, each until its readiness probe answers 200. The one way the system
 * is started, for `pnpm start` and the end-to-end tests alike.
 */
export async function launchServices(options: LaunchOptions): Promise<LaunchResult> {
  const { services, supervisor } = options;
  const say = options.say ?? (() => undefined);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const stop = options.stop ?? new Promise(() => undefined);
  const urls = Object.fromEntries(
    services.map(({ manifest }) => [
      manifest.name,
      `http://127.0.0.1:${options.ports[manifest.name] ?? manifest.port}`,
    ]),
  );
  const envOf = (entry: ServiceEntry): NodeJS.ProcessEnv => {
    const name = entry.manifest.name;
    const databaseUrl = options.backends.databaseUrls[name];
    return {
      ...(options.baseEnv ?? process.env),
      ...serviceEnv(entry, {
        connection: options.backends.connection,
        services,
        urls,
        ...(databaseUrl ? { databaseUrl } : {}),
        ...(options.backends.tableNames ? { tableNames: options.backends.tableNames } : {}),
      }),
      PORT: String(options.ports[name] ?? entry.manifest.port),
      HOST: '127.0.0.1',
      ...options.env,
      ...options.serviceEnv?.[name],
    };
  };
  const processes: SupervisedProcess[] = [];
  const readyAfterMs: Record<string, number> = {};
  const variant = options.from === 'dist' ? 'start' : 'dev';
  const command = (argv: readonly string[]) => {
    const [program = 'node', ...args] = argv;
    // "node" in a manifest is the workspace's Node (the one running this), not the PATH's.
    return { command: program === 'node' ? process.execPath : program, args };
  };

  const starting = options.only
    ? services.filter((entry) => options.only?.includes(entry.manifest.name))
    : services;
  const migrating = starting.filter((entry) => entry.manifest.run.migrate);
  if (migrating.length > 0) {
    say(`Migrating ${migrating.map((e) => e.manifest.name).join(', ')}…`);
    const runs = migrating.map((entry) => {
      const run = supervisor.start({
        name: `${entry.manifest.name}:migrate`,
        ...command(entry.manifest.run.migrate?.[variant] ?? []),
        cwd: entry.dir,
        env: envOf(entry),
      });
      processes.push(run);
      return run.exited.then((status) => ({ name: entry.manifest.name, ...status }));
    });
    const done = await Promise.race([Promise.all(runs), stop.then(() => undefined)]);
    if (!done) return { outcome: 'stopped', processes, urls, readyAfterMs };
    const failed = done.find((result) => result.code !== 0);
    if (failed) {
      return {
        outcome: 'failed',
        reason: `the migrations of ${failed.name} failed`,
        processes,
        urls,
        readyAfterMs,
      };
    }
  }

  say(`Starting ${starting.map((e) => e.manifest.name).join(', ')}…`);
  const results = await Promise.all(
    starting.map(async (entry) => {
      const { name } = entry.manifest;
      const spawnedAt = performance.now();
      const child = supervisor.start({
        name,
        ...command(entry.manifest.run[variant]),
        cwd: entry.dir,
        env: envOf(entry),
      });
      processes.push(child);
      const exited = child.exited.then((s) => `exited (${s.error?.message ?? s.signal ?? s.code})`);
      const result = await waitUntilReady(`${urls[name]}${entry.manifest.health.ready}`, {
        timeoutMs: readyTimeoutMs,
        stop: Promise.race([exited, stop]),
      });
      if (result === 'ready') {
        readyAfterMs[name] = performance.now() - spawnedAt;
        say(`${name} ready in ${seconds(readyAfterMs[name])}`);
      }
      if (result === 'timeout') return `${name} was not ready within ${seconds(readyTimeoutMs)}`;
      if (result === 'stopped' && child.hasExited) return `${name} ${await exited}`;
      return result === 'stopped' ? 'stopped' : undefined;
    }),
  );
  const failure = results.find((r) => r !== undefined && r !== 'stopped');
  if (failure) return { outcome: 'failed', reason: failure, processes, urls, readyAfterMs };
  if (results.includes('stopped')) return { outcome: 'stopped', processes, urls, readyAfterMs };
  return { outcome: 'ready', processes, urls, readyAfterMs };
}
