import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceEnv } from '../../shared/local-cloud/src/backend-connection.ts';
import {
  isLocalCloudReadyMessage,
  type LocalCloudReadyMessage,
  localCloudCliPath,
} from '../../shared/local-cloud/src/cli-protocol.ts';
import { assertPortFree } from '../../shared/local-cloud/src/ports.ts';
import { createLinePrinter } from './create-line-printer.ts';
import { createSupervisor, type SupervisedProcess } from './create-supervisor.ts';
import { waitUntilReady } from './wait-until-ready.ts';

export interface SystemService {
  readonly name: string;
  readonly port: number;
  /** The service's package folder: `src/server.ts`, optionally `src/migrate.ts`. */
  readonly dir: string;
}

export interface RunSystemOptions {
  readonly services: readonly SystemService[];
  /** Arguments for the local-cloud CLI, e.g. `--fresh` or `--ephemeral`. */
  readonly backendArgs?: readonly string[];
  /** Variables for one service beyond the backing services and the others' URLs. */
  readonly extraEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Pino JSON lines as `LEVEL message {fields}`. */
  readonly pretty?: boolean;
  readonly readyTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
}

const node = process.execPath;
const sourceCondition = '--conditions=@storekeeper/source';
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The whole system on this machine: embedded backends (the local-cloud CLI, in its own
 * process), migrations, then every service, each until `/health/ready` answers 200.
 * Stops on SIGINT/SIGTERM/SIGHUP, or when any process dies: services first, then the
 * backends; a second signal kills everything at once. Resolves with the exit code.
 */
export async function runSystem(options: RunSystemOptions): Promise<number> {
  const began = performance.now();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 25_000;
  const migrations = options.services.filter((s) => existsSync(join(s.dir, 'src/migrate.ts')));
  const printer = createLinePrinter({
    names: ['backends', ...options.services.map((s) => s.name), ...migrations.map(migrateName)],
    pretty: options.pretty ?? false,
  });
  const supervisor = createSupervisor(printer);
  const say = (line: string) => console.info(line);

  let stopping: { reason: string; code: number } | undefined;
  const { promise: stopRequested, resolve: resolveStop } = Promise.withResolvers<void>();
  const requestStop = (reason: string, code: number) => {
    if (stopping) return;
    stopping = { reason, code };
    resolveStop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      say(`${signal} again: killing everything now`);
      supervisor.killAll();
      process.exit(130);
    }
    requestStop(`received ${signal}`, 0);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  // `pnpm start` runs us under pnpm and two shells, none of which passes SIGTERM on: a
  // `kill <pnpm>` leaves us orphaned, re-parented. Noticing that is our SIGTERM.
  const parent = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid !== parent) requestStop('its parent process went away', 0);
  }, 250);
  parentWatch.unref();
  const stopOnExit = (process_: SupervisedProcess) => {
    void process_.exited.then(({ code, signal, error }) => {
      const how = error ? error.message : signal ? `signal ${signal}` : `exit code ${code}`;
      requestStop(`${process_.name} stopped unexpectedly (${how})`, 1);
    });
  };

  const services: SupervisedProcess[] = [];
  let backends: SupervisedProcess | undefined;
  try {
    const problem = await preflight(options.services);
    if (problem) {
      console.error(`Cannot start: ${problem}`);
      return 1;
    }

    say('Starting the backends (PostgreSQL, SNS/SQS, DynamoDB)…');
    backends = supervisor.start({
      name: 'backends',
      command: node,
      args: [
        sourceCondition,
        fileURLToPath(localCloudCliPath),
        '--brief',
        ...(options.backendArgs ?? []),
      ],
      env: process.env,
      ipc: true,
    });
    stopOnExit(backends);
    const ready = await Promise.race([readyMessage(backends), stopRequested]);
    if (!ready) return await shutdown();

    const envs = new Map(
      options.services.map((service) => [
        service.name,
        {
          ...process.env,
          ...serviceEnv(ready.connection, service.name),
          ...serviceUrls(options.services, service.name),
          PORT: String(service.port),
          HOST: '127.0.0.1',
          NODE_ENV: 'development',
          ...options.extraEnv?.[service.name],
        },
      ]),
    );

    if (migrations.length > 0) {
      say(`Migrating ${migrations.map((s) => s.name).join(', ')}…`);
      const runs = migrations.map((service) => ({
        service,
        run: supervisor.start({
          name: migrateName(service),
          command: node,
          args: [sourceCondition, 'src/migrate.ts'],
          cwd: service.dir,
          env: envs.get(service.name),
        }),
      }));
      const done = await Promise.race([
        Promise.all(runs.map(async ({ service, run }) => ({ service, ...(await run.exited) }))),
        stopRequested.then(() => undefined),
      ]);
      const failed = done?.find((result) => result.code !== 0);
      if (failed) requestStop(`the migrations of ${failed.service.name} failed`, 1);
      if (!done || stopping) return await shutdown(runs.map((r) => r.run));
    }

    say(`Starting ${options.services.map((s) => s.name).join(', ')}…`);
    const servicesStarted = performance.now();
    const readiness = options.services.map((service) => {
      const spawnedAt = performance.now();
      const process_ = supervisor.start({
        name: service.name,
        command: node,
        args: [sourceCondition, 'src/server.ts'],
        cwd: service.dir,
        env: envs.get(service.name),
      });
      services.push(process_);
      stopOnExit(process_);
      return waitUntilReady(`http://127.0.0.1:${service.port}/health/ready`, {
        timeoutMs: readyTimeoutMs,
        stop: Promise.race([process_.exited, stopRequested]),
      }).then((result) => {
        if (result === 'ready')
          say(`${service.name} ready in ${seconds(performance.now() - spawnedAt)}`);
        if (result === 'timeout') {
          requestStop(`${service.name} was not ready within ${seconds(readyTimeoutMs)}`, 1);
        }
        return result;
      });
    });
    const results = await Promise.all(readiness);
    if (stopping || results.some((r) => r !== 'ready')) return await shutdown();

    const total = performance.now() - began;
    const gateway = options.services.find((s) => s.name === 'gateway');
    say(
      [
        '',
        `Storekeeper is up in ${seconds(total)} (backends ${seconds(readyTotal(ready))}, ` +
          `services ${seconds(performance.now() - servicesStarted)}).`,
        ...(gateway
          ? [
              `  API       http://127.0.0.1:${gateway.port}`,
              `  API docs  http://127.0.0.1:${gateway.port}/docs`,
            ]
          : []),
        ...options.services.map((s) => `  ${s.name.padEnd(9)} http://127.0.0.1:${s.port}`),
        // The password stays in .local/local-cloud/credentials.json: output gets pasted.
        `  psql      ${withoutPassword(ready.connection.postgres.adminUrl)} (password in .local/local-cloud/credentials.json)`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );

    await stopRequested;
    return await shutdown();
  } catch (error) {
    console.error('pnpm start failed:', error);
    requestStop('an error in the orchestrator', 1);
    return await shutdown();
  } finally {
    clearInterval(parentWatch);
    for (const signal of signals) process.removeListener(signal, onSignal);
  }

  async function shutdown(extra: readonly SupervisedProcess[] = []): Promise<number> {
    const { reason, code } = stopping ?? { reason: 'startup ended', code: 1 };
    say(`Stopping (${reason})…`);
    await supervisor.stop([...services, ...extra], stopTimeoutMs);
    if (backends) await supervisor.stop([backends], stopTimeoutMs);
    say(code === 0 ? 'Stopped.' : `Stopped, exit code ${code}.`);
    return code;
  }
}

function migrateName(service: SystemService): string {
  return `${service.name}:migrate`;
}

function serviceUrls(all: readonly SystemService[], self: string): Record<string, string> {
  return Object.fromEntries(
    all
      .filter((s) => s.name !== self)
      .map((s) => [`${s.name.toUpperCase()}_SERVICE_URL`, `http://127.0.0.1:${s.port}`]),
  );
}

function readyTotal(message: LocalCloudReadyMessage): number {
  return message.timings.total ?? 0;
}

/** Everything that can be known to fail before anything starts. */
async function preflight(services: readonly SystemService[]): Promise<string | undefined> {
  for (const service of services) {
    const server = join(service.dir, 'src/server.ts');
    if (!existsSync(server)) return `${server} does not exist`;
  }
  for (const service of services) {
    try {
      await assertPortFree(service.port, `the ${service.name} service`);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

/** The local-cloud CLI's readiness report; undefined if it exits first. */
function readyMessage(backends: SupervisedProcess): Promise<LocalCloudReadyMessage | undefined> {
  return new Promise((resolve) => {
    backends.child.on('message', (message) => {
      if (isLocalCloudReadyMessage(message)) resolve(message);
    });
    void backends.exited.then(() => resolve(undefined));
  });
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}
