import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadEmbeddedPostgres } from './load-embedded-postgres.ts';
import { findFreePort, PortInUseError } from './ports.ts';
import { isAlive, waitForExit } from './process-exit.ts';

export interface StartPostgresOptions {
  /** The cluster's data directory (`PGDATA`). Initialised on first use, reused after. */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The superuser's password; must be the one the cluster was initialised with. */
  readonly superuserPassword: string;
  /** Throw-away clusters trade durability for speed (no fsync). */
  readonly durable: boolean;
  readonly onLog?: (line: string) => void;
}

export interface RunningPostgres {
  readonly port: number;
  /** Superuser URL on 127.0.0.1. */
  readonly adminUrl: string;
  stop(): Promise<void>;
}

const superuser = 'postgres';
const startupTimeoutMs = 60_000;
const stopTimeoutMs = 20_000;

/**
 * Runs a real PostgreSQL from the embedded-postgres binaries on 127.0.0.1 only, TCP only
 * (no Unix socket, so parallel clusters never collide in /tmp). As root, PostgreSQL refuses
 * to run, so the cluster runs as the OS user `postgres` (created if missing) and owns its
 * data directory.
 */
export async function startPostgres(options: StartPostgresOptions): Promise<RunningPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const isRoot = process.getuid?.() === 0;
  const logs = createRecentLines(options.onLog);
  await assertNoRunningCluster(options.dataDir);
  if (isRoot) assertTraversableByOthers(dirname(options.dataDir));
  await mkdir(dirname(options.dataDir), { recursive: true });

  const create = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: options.dataDir,
      port,
      user: superuser,
      password: options.superuserPassword,
      authMethod: 'scram-sha-256',
      persistent: true, // removal of throw-away data is the caller's job (it owns the whole folder)
      createPostgresUser: isRoot,
      initdbFlags: [
        '--encoding=UTF8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        ...(options.durable ? [] : ['--no-sync']),
      ],
      postgresFlags: [
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        ...(options.durable
          ? []
          : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      ],
      onLog: logs.push,
      onError: (error) => logs.push(String(error)),
    });

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await create(0).initialise();
  }

  // An ephemeral port can be taken between choosing it and binding it: retry a few times.
  const attempts = options.port === 0 ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port === 0 ? await findFreePort() : options.port;
    const cluster = create(port);
    try {
      await startWithin(cluster, startupTimeoutMs);
    } catch (error) {
      const addressInUse = logs.text().includes('Address already in use');
      if (addressInUse && attempt < attempts) continue;
      if (addressInUse) throw new PortInUseError(port, 'PostgreSQL', { cause: error });
      throw new Error(
        `PostgreSQL did not start on 127.0.0.1:${port} (data: ${options.dataDir}):\n${logs.text()}`,
        { cause: error },
      );
    }
    const pid = await readPostmasterPid(options.dataDir);
    // Safety net for a process that exits without calling stop(): PostgreSQL is a separate
    // process and would otherwise outlive us. `exit` handlers must be synchronous.
    const onExit = () => signal(pid, 'SIGINT');
    process.on('exit', onExit);
    return {
      port,
      adminUrl: `postgresql://${superuser}:${encodeURIComponent(options.superuserPassword)}@127.0.0.1:${port}/postgres`,
      async stop() {
        process.removeListener('exit', onExit);
        if (!isAlive(pid)) return;
        // cluster.stop() sends SIGINT (fast shutdown) and waits for the process, but never
        // settles if PostgreSQL already went away (e.g. Ctrl-C reached its process group), so
        // it races against watching the pid.
        void cluster.stop().catch(() => undefined);
        if (await waitForExit(pid, stopTimeoutMs)) return;
        signal(pid, 'SIGKILL');
        await waitForExit(pid, 5_000);
      },
    };
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * `cluster.start()` with a bound. It rejects (with `undefined`) when the server exits
 * early; then there is nothing to stop, and `cluster.stop()` would wait forever for an
 * exit that already happened. Only a server still starting at the deadline is stopped.
 */
async function startWithin(
  cluster: { start(): Promise<void>; stop(): Promise<void> },
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = Symbol('timed out');
  const timeout = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), timeoutMs);
  });
  try {
    const started = cluster.start().then(
      () => undefined,
      (error: unknown) => {
        throw error ?? new Error('PostgreSQL exited during startup');
      },
    );
    if ((await Promise.race([started, timeout])) === timedOut) {
      await cluster.stop();
      throw new Error(`not ready after ${timeoutMs} ms`);
    }
  } finally {
    clearTimeout(timer);
  }
}

async function readPostmasterPid(dataDir: string): Promise<number> {
  const content = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid)) throw new Error(`unreadable postmaster.pid in ${dataDir}`);
  return pid;
}

/** A PostgreSQL left running by a killed `pnpm start` keeps the data directory locked. */
async function assertNoRunningCluster(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = await readPostmasterPid(dataDir).catch(() => undefined);
  if (pid !== undefined && isAlive(pid)) {
    throw new Error(
      `a PostgreSQL (pid ${pid}) from an earlier run is still using ${dataDir}; ` +
        `stop it with \`kill -INT ${pid}\` and start again`,
    );
  }
}

/** As root, PostgreSQL runs as another user, which must be able to walk to its data folder. */
function assertTraversableByOthers(dir: string): void {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the OS user "postgres" (this process is root) and cannot reach ` +
          `${dir}: ${current} is not searchable by other users. Choose a data directory ` +
          `elsewhere or run \`chmod o+x ${current}\``,
      );
    }
    if (dirname(current) === current) return;
  }
}

function createRecentLines(forward?: (line: string) => void) {
  const lines: string[] = [];
  return {
    push: (message: string) => {
      for (const line of message.split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 40) lines.shift();
        forward?.(line);
      }
    },
    text: () => lines.join('\n'),
  };
}
