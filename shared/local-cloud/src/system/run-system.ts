import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceEntry } from '@storekeeper/contracts/manifest';
import {
  isLocalCloudReadyMessage,
  type LocalCloudReadyMessage,
  localCloudCliPath,
} from '../cli-protocol.ts';
import { assertPortFree } from '../ports.ts';
import { receiveSegments, type SegmentReceiver } from '../traces/receive-segments.ts';
import { appendSegmentsTo, type TraceFile } from '../traces/trace-file.ts';
import { createLinePrinter } from './create-line-printer.ts';
import { createSupervisor, type SupervisedProcess } from './create-supervisor.ts';
import { launchServices } from './start-system.ts';

export interface RunSystemOptions {
  /** The services, from their manifests (`readServiceManifests()`). */
  readonly services: readonly ServiceEntry[];
  /** Arguments for the local-cloud CLI, e.g. `--fresh` or `--ephemeral`. */
  readonly backendArgs?: readonly string[];
  /** Ports other than the manifests' (tests run beside a real `pnpm start`). */
  readonly ports?: Readonly<Record<string, number>>;
  /** Variables for one service beyond the backing services and the others' URLs. */
  readonly extraEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Pino JSON lines as `LEVEL message {fields}`. */
  readonly pretty?: boolean;
  readonly readyTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
  /**
   * Receive the services' trace segments (as the X-Ray daemon does: its TCP proxy's
   * PutTraceSegments and its UDP protocol, port 2000 when free) and keep them in this file as JSON lines for `pnpm trace`. Every trace
   * is kept (sampling rate 1).
   */
  readonly traceFile?: string;
}

const sourceCondition = '--conditions=@storekeeper/source';
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The whole system on this machine: embedded backends (the local-cloud CLI, in its own
 * process), then the services as `launchServices` starts them (migrations first).
 * Stops on SIGINT/SIGTERM/SIGHUP, or when any process dies: services first, then the
 * backends; a second signal kills everything at once. Resolves with the exit code.
 */
export async function runSystem(options: RunSystemOptions): Promise<number> {
  const began = performance.now();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 25_000;
  const portOf = (service: ServiceEntry) =>
    options.ports?.[service.manifest.name] ?? service.manifest.port;
  const names = options.services.map((s) => s.manifest.name);
  const printer = createLinePrinter({
    names: ['backends', ...names, ...names.map((name) => `${name}:migrate`)],
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
  let traces: { file: TraceFile; receiver: SegmentReceiver } | undefined;
  try {
    const problem = await preflight(options.services, portOf);
    if (problem) {
      console.error(`Cannot start: ${problem}`);
      return 1;
    }

    say('Starting the backends (PostgreSQL, SNS/SQS, DynamoDB)…');
    backends = supervisor.start({
      name: 'backends',
      command: process.execPath,
      args: [
        sourceCondition,
        fileURLToPath(localCloudCliPath),
        '--brief',
        // Provision for these services, wherever their manifests are.
        ...servicesDirArgs(options.services),
        ...(options.backendArgs ?? []),
      ],
      env: process.env,
      ipc: true,
    });
    stopOnExit(backends);
    const ready = await Promise.race([readyMessage(backends), stopRequested]);
    if (!ready) return await shutdown();

    if (options.traceFile) {
      const file = await appendSegmentsTo(options.traceFile);
      traces = { file, receiver: await receiveSegments((s) => file.append(s), { port: 2000 }) };
    }
    const tracingEnv: Record<string, string> = traces
      ? {
          AWS_XRAY_DAEMON_ADDRESS: traces.receiver.address,
          TRACING_SAMPLING_RATE: '1',
          // Read by the gateway's development-only trace routes.
          DEV_TRACE_FILE: traces.file.path,
        }
      : {};

    const servicesStarted = performance.now();
    const launched = await launchServices({
      services: options.services,
      backends: {
        connection: ready.connection,
        databaseUrls: Object.fromEntries(
          Object.entries(ready.connection.postgres.databases).map(([name, db]) => [name, db.url]),
        ),
      },
      ports: Object.fromEntries(options.services.map((s) => [s.manifest.name, portOf(s)])),
      supervisor,
      env: { NODE_ENV: 'development', ...tracingEnv },
      ...(options.extraEnv ? { serviceEnv: options.extraEnv } : {}),
      readyTimeoutMs,
      stop: stopRequested,
      say,
    });
    services.push(...launched.processes);
    for (const process_ of launched.processes) {
      // A migration ends by design; only a service's exit stops the system.
      if (!process_.name.endsWith(':migrate')) stopOnExit(process_);
    }
    if (launched.outcome === 'failed') requestStop(launched.reason ?? 'start-up failed', 1);
    if (stopping || launched.outcome !== 'ready') return await shutdown();

    const total = performance.now() - began;
    // The public entry point, if the system has one: the service that calls the most.
    const [entry] = [...options.services].sort(
      (a, b) => b.manifest.calls.length - a.manifest.calls.length,
    );
    const gateway = entry && entry.manifest.calls.length > 0 ? entry : undefined;
    say(
      [
        '',
        `Storekeeper is up in ${seconds(total)} (backends ${seconds(readyTotal(ready))}, ` +
          `services ${seconds(performance.now() - servicesStarted)}).`,
        ...(gateway
          ? [
              `  API       ${launched.urls[gateway.manifest.name]}`,
              `  API docs  ${launched.urls[gateway.manifest.name]}/docs`,
            ]
          : []),
        ...names.map((name) => `  ${name.padEnd(9)} ${launched.urls[name]}`),
        // The password stays in .local/local-cloud/credentials.json: output gets pasted.
        `  psql      ${withoutPassword(ready.connection.postgres.adminUrl)} (password in .local/local-cloud/credentials.json)`,
        ...(traces
          ? [
              `  traces    received on ${traces.receiver.address}; \`pnpm trace --last\` shows the latest order`,
            ]
          : []),
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

  async function shutdown(): Promise<number> {
    const { reason, code } = stopping ?? { reason: 'startup ended', code: 1 };
    say(`Stopping (${reason})…`);
    await supervisor.stop(services, stopTimeoutMs);
    if (backends) await supervisor.stop([backends], stopTimeoutMs);
    if (traces) {
      await traces.receiver.close();
      await traces.file.close();
    }
    say(code === 0 ? 'Stopped.' : `Stopped, exit code ${code}.`);
    return code;
  }
}

function servicesDirArgs(services: readonly ServiceEntry[]): string[] {
  const dirs = new Set(services.map((service) => dirname(service.dir)));
  if (dirs.size > 1) throw new Error(`services from several folders: ${[...dirs].join(', ')}`);
  return dirs.size === 1 ? ['--services', [...dirs][0] as string] : [];
}

function readyTotal(message: LocalCloudReadyMessage): number {
  return message.timings.total ?? 0;
}

/** Everything that can be known to fail before anything starts. */
async function preflight(
  services: readonly ServiceEntry[],
  portOf: (service: ServiceEntry) => number,
): Promise<string | undefined> {
  for (const service of services) {
    try {
      await assertPortFree(portOf(service), `the ${service.manifest.name} service`);
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
