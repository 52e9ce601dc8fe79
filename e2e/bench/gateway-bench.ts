/**
 * `pnpm bench:gateway` (part of `pnpm bench`): what the edge costs. The whole system runs
 * on CPU 0 (this process and every service it starts inherit the affinity; the package
 * script starts it under `taskset -c 0`), wrk on CPU 1, 64 connections, an authenticated
 * `GET /users/me`. The rows below run in interleaved rounds (`--rounds`, 11 by default, of
 * `--seconds`, 3), every system started first, so a drift in the machine's speed hits
 * every row alike; rows compared with each other run side by side, every other round in
 * reverse; a ratio is the median of the ratios within each round:
 *
 * - the user service directly;
 * - nginx (Debian's, keep-alive `proxy_pass`) → the user service;
 * - raw `node:http` proxy with a keep-alive agent → the user service;
 * - the gateway → the user service, and the gateway's `/health/live`;
 * - the gateway and the user service again at LOG_LEVEL=info (logging overhead), and with
 *   every request traced, on X-Ray and on OpenTelemetry (tracing overhead);
 * - what the kit's service client adds to a call, against undici alone;
 * - `GET /api/me/overview` against its floor, the slowest of its three downstream calls
 *   made directly, one connection at a time;
 * - start-up: each service from its bundle (as in the images), stopped and started
 *   again alone while the rest of the system idles, spawn → first ready answer.
 *
 * Beside each row's throughput, the CPU time its processes on CPU 0 spent per request
 * (front, user service, PostgreSQL, span sink), which says where a ratio comes from.
 *
 * Writes docs/benchmarks/gateway.md and gateway.png (--out DIR). Needs `pnpm build` (the
 * package script runs it), nginx and wrk
 * (`apt-get install nginx-light wrk`); without nginx its row says so and the rest runs.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { overviewRecentOrderCount } from '@storekeeper/contracts';
import type { BackendConnection } from '@storekeeper/local-cloud';
import { createLogger, createServiceClient } from '@storekeeper/platform';
import { startBackends, waitFor } from '@storekeeper/testing';
import { Agent as UndiciAgent, request as undiciRequest } from 'undici';
import { createApiClient } from '../src/api-client.ts';
import { freePort } from '../src/free-port.ts';
import { type SystemUnderTest, startSystem } from '../src/start-system.ts';
import { verifiedCustomer } from '../src/verified-customer.ts';
import { renderBarChart } from './render-bar-chart.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '11' },
    connections: { type: 'string', default: '64' },
    out: { type: 'string', default: '../docs/benchmarks' },
    'startup-runs': { type: 'string', default: '5' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const nginxPath = 'nginx (keep-alive) → user service';
const nodeProxyPath = 'node:http proxy (keep-alive) → user service';
const connections = Number(values.connections);
const clientCalls = 20_000;
const clientConcurrency = 8;
/** Clock ticks a second, the unit of /proc/<pid>/stat's CPU times. */
const clockTicks = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;

interface ClientRow {
  readonly caller: string;
  readonly callsPerSecond: number;
  /** CPU time of the calling process per call, in microseconds. */
  readonly cpuMicros: number;
}

interface Row {
  readonly path: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly note?: string;
}

interface StartupRow {
  readonly service: string;
  readonly medianMs: number;
  readonly maxMs: number;
}

const rows: Row[] = [];
const overviewRows: Row[] = [];
const startupRows: StartupRow[] = [];
const clientRows: ClientRow[] = [];
let nodeBaselineMs = Number.NaN;
const started = await startBackends();
if (!started.backends.available) throw new Error(`backends: ${started.backends.reason}`);
// Where traced services send their spans: a stand-in for the X-Ray daemon (its TCP proxy
// takes the batches) and for the OTLP collector, on CPU 0 with the system, as a sidecar
// shares its Fargate task's CPU.
const sink = await startTraceSink();
// The services' standard output goes to a file, as a log driver takes it: nothing reads
// their log lines on CPU 0, where that reading would be counted as their logging cost.
const logDir = await mkdtemp(join(tmpdir(), 'sk-bench-logs-'));
const passes: { suffix: string; env: Record<string, string> }[] = [
  { suffix: '', env: { LOG_LEVEL: 'warn' } },
  { suffix: ' (LOG_LEVEL=info)', env: { LOG_LEVEL: 'info' } },
  {
    suffix: ' (X-Ray, every request traced)',
    env: { LOG_LEVEL: 'warn', AWS_XRAY_DAEMON_ADDRESS: sink.xray, TRACING_SAMPLING_RATE: '1' },
  },
  {
    suffix: ' (OpenTelemetry, every request traced)',
    env: {
      LOG_LEVEL: 'warn',
      TRACING: 'otel',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.http,
      TRACING_SAMPLING_RATE: '1',
    },
  },
];
/** A path measured in every round: what wrk calls, and with which header. */
interface Target {
  readonly path: string;
  readonly url: string;
  readonly header?: string;
  readonly note?: string;
  /** The processes on CPU 0 that serve this row, by role; their CPU is counted per request. */
  readonly processes?: Readonly<Record<string, () => Promise<number[]>>>;
}
const targets: Target[] = [];
/** Each target's figures, one per round. */
const samples = new Map<string, Omit<Row, 'path'>[]>();
/** Each target's CPU per request by role, in microseconds, one per round. */
const cpuSamples = new Map<string, Record<string, number>[]>();
const systems: SystemUnderTest[] = [];
/** The first pass's customer, for the aggregator's rows. */
let baseHeader = '';
const fronts: { stop(): Promise<void> }[] = [];
try {
  // Every pass's system runs from the start, idle but for the row being measured, so the
  // rounds can interleave them: a drift in the machine's speed then hits every row alike.
  for (const [index, pass] of passes.entries()) {
    const system = await startSystem({
      connection: started.backends.connection,
      // As the images run them: each service from its bundle.
      from: 'dist',
      stdoutFile: join(logDir, `pass-${index}.log`),
      env: Object.fromEntries(
        ['gateway', 'user', 'order', 'billing', 'email'].map((name) => [
          name,
          { ...pass.env, AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
        ]),
      ),
    });
    systems.push(system);
    const { token } = await verifiedCustomer(createApiClient(system.gatewayUrl));
    const user = system.service('user').url;
    const header = `Authorization: Bearer ${token}`;
    const pidOf = (name: string) => async () => {
      const pid = system.services[name]?.process.child.pid;
      return pid === undefined ? [] : [pid];
    };
    // What serves every row beside its front: the user service, PostgreSQL, and the
    // span sink when the pass traces.
    const upstream = {
      'user service': pidOf('user'),
      PostgreSQL: () => pidsNamed('postgres'),
      ...('TRACING_SAMPLING_RATE' in pass.env ? { 'trace sink': async () => [sink.pid] } : {}),
    };
    targets.push(
      {
        path: `user service directly${pass.suffix}`,
        url: `${user}/users/me`,
        header,
        processes: upstream,
      },
      {
        path: `gateway → user service${pass.suffix}`,
        url: `${system.gatewayUrl}/api/users/me`,
        header,
        processes: { front: pidOf('gateway'), ...upstream },
      },
    );
    if (index > 0) continue;
    baseHeader = header;
    const nginx = await behindNginx(user);
    if ('url' in nginx) fronts.push(nginx);
    const nodeProxy = await behindNodeProxy(user);
    fronts.push(nodeProxy);
    targets.push(
      'url' in nginx
        ? {
            path: nginxPath,
            url: `${nginx.url}/users/me`,
            header,
            processes: { front: () => withDescendants(nginx.pid), ...upstream },
          }
        : { path: nginxPath, url: '', note: nginx.skipped },
      {
        path: nodeProxyPath,
        url: `${nodeProxy.url}/users/me`,
        header,
        processes: { front: async () => [nodeProxy.pid], ...upstream },
      },
      { path: 'gateway /health/live', url: `${system.gatewayUrl}/health/live` },
    );
  }
  // A fresh system is cold (JIT, pools, caches): every path is warmed before measuring.
  for (const target of targets) {
    if (target.url) await wrk(target.url, target.header, { seconds: 3 });
  }
  // Rows compared with each other are measured side by side: each pass's user row next to
  // the others, the gateway rows likewise, nginx and the node proxy next to the gateway's
  // warn row. Every other round runs in reverse, so no row always follows the same one.
  const byPath = (prefix: string) => targets.filter((t) => t.path.startsWith(prefix));
  const sequence = [
    ...byPath('user service directly'),
    ...byPath('gateway → user service').reverse(),
    ...targets.filter((t) => !sequenced(t.path)),
  ];
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 === 0 ? sequence : sequence.toReversed()) {
      // A second of load first, not counted: what the previous row left behind (a
      // collection, a batch of spans to export) lands there, not on this row.
      if (target.url) await wrk(target.url, target.header, { seconds: 1 });
      const before = await cpuTicks(target.processes);
      const figures = target.url
        ? await wrk(target.url, target.header)
        : { rps: 0, p50: Number.NaN, p99: Number.NaN, requests: 0 };
      const after = await cpuTicks(target.processes);
      samples.set(target.path, [...(samples.get(target.path) ?? []), figures]);
      if (figures.requests > 0 && Object.keys(after).length > 0) {
        const perRequest = Object.fromEntries(
          Object.entries(after).map(([role, ticks]) => [
            role,
            (((ticks - (before[role] ?? 0)) / clockTicks) * 1e6) / figures.requests,
          ]),
        );
        cpuSamples.set(target.path, [...(cpuSamples.get(target.path) ?? []), perRequest]);
      }
    }
  }
  for (const target of targets) {
    const figures = samples.get(target.path) ?? [];
    const note = target.note ?? figures.find((f) => f.note)?.note;
    rows.push({
      path: target.path,
      rps: median(figures.map((f) => f.rps)),
      p50: median(figures.map((f) => f.p50)),
      p99: median(figures.map((f) => f.p99)),
      ...(note ? { note } : {}),
    });
  }
  const [base] = systems;
  if (base) overviewRows.push(...(await overviewAgainstFloor(base, baseHeader)));
  for (const front of fronts.splice(0)) await front.stop();
  for (const system of systems.splice(0)) await system.stop();
  clientRows.push(...(await clientOverhead(sink.http)));
  startupRows.push(...(await startupPerService(started.backends.connection)));
  nodeBaselineMs = await nodeBaseline();
} finally {
  for (const front of fronts) await front.stop();
  for (const system of systems) await system.stop();
  sink.stop();
  await started.stop();
  await rm(logDir, { recursive: true, force: true });
}

/** Rows sequenced by kind, the rest after them in the order they were listed. */
function sequenced(path: string): boolean {
  return path.startsWith('user service directly') || path.startsWith('gateway → user service');
}

/** The median over the rounds of `a`'s req/s ÷ `b`'s, each pair measured in one round. */
const ratio = (a: string, b: string) => {
  const over = samples.get(a) ?? [];
  const under = samples.get(b) ?? [];
  const ratios = over.flatMap((x, i) => {
    const y = under[i]?.rps ?? 0;
    return x.rps > 0 && y > 0 ? [x.rps / y] : [];
  });
  if (ratios.length === 0) return '**–**';
  const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
  return `**${median(ratios).toFixed(2)}×** (rounds ${range})`;
};
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const cpuRoles = ['front', 'user service', 'PostgreSQL', 'trace sink'];
/** A row's median CPU per request for one role, in microseconds; NaN where it has none. */
const cpuMedian = (path: string, role: string) => {
  const values = (cpuSamples.get(path) ?? []).flatMap((sample) =>
    sample[role] === undefined ? [] : [sample[role]],
  );
  return median(values);
};
/** What tracing every request adds to a role's CPU per request on the user service's row, µs. */
const tracedCost = (backend: 'X-Ray' | 'OpenTelemetry', role: string) => {
  const traced = cpuMedian(`user service directly (${backend}, every request traced)`, role);
  const untraced = cpuMedian('user service directly', role);
  return (traced - (Number.isNaN(untraced) ? 0 : untraced)).toFixed(0);
};
const report = [
  '# Gateway benchmark',
  '',
  `${new Date().toISOString()} — ${cpus().length} × ${cpu}; ${started.backends.description}.`,
  `System on CPU 0 (each service from its bundle, as the images run it; standard output to a file, as a log driver takes it), wrk on CPU 1; ${connections} connections, \`GET /users/me\` with a valid token.`,
  `Every row is measured ${rounds} times, ${seconds} s each after 1 s of load not counted, in interleaved rounds (each round runs every row once, with every pass's system already started; rows compared with each other run side by side, and every other round runs in reverse order); a row shows its medians, a ratio is the median of the ratios within each round, with their range over the rounds.`,
  'Absolute figures drift between runs on a shared machine (up to 2× here); interleaving spreads a drift over every row alike.',
  '',
  '| path | req/s | p50 ms | p99 ms | note |',
  '|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.path} | ${Math.round(r.rps)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.note ?? ''} |`,
  ),
  '',
  `- gateway ÷ nginx on the same upstream: ${ratio('gateway → user service', 'nginx (keep-alive) → user service')}`,
  `- gateway ÷ raw node:http proxy: ${ratio('gateway → user service', 'node:http proxy (keep-alive) → user service')}`,
  `- user service at info ÷ at warn: ${ratio('user service directly (LOG_LEVEL=info)', 'user service directly')}`,
  `- gateway path at info ÷ at warn: ${ratio('gateway → user service (LOG_LEVEL=info)', 'gateway → user service')}`,
  `- gateway path with every request traced ÷ untraced: X-Ray ${ratio('gateway → user service (X-Ray, every request traced)', 'gateway → user service')}, OpenTelemetry ${ratio('gateway → user service (OpenTelemetry, every request traced)', 'gateway → user service')} (the daemon and collector stand-ins on CPU 0 with the services, as sidecars share a task's CPU)`,
  `- user service with every request traced ÷ untraced: X-Ray ${ratio('user service directly (X-Ray, every request traced)', 'user service directly')}, OpenTelemetry ${ratio('user service directly (OpenTelemetry, every request traced)', 'user service directly')}`,
  '',
  '![requests per second by path](gateway.png)',
  '',
  '## Where the CPU goes',
  '',
  "The same rounds, counted in CPU time instead of requests: each row's processes on CPU 0, user and system time from `/proc/<pid>/stat` around each measured run, per request, medians over the rounds. The front is the gateway, nginx (master and worker) or the Node proxy; PostgreSQL is every `postgres` process; the trace sink is the daemon and collector stand-in. The kernel's network work done outside any process is in none of them.",
  '',
  `| path | ${cpuRoles.join(' | ')} | total |`,
  `|---|${cpuRoles.map(() => '---|').join('')}---|`,
  ...targets
    .map((target) => target.path)
    .filter((path) => cpuSamples.has(path))
    .map((path) => {
      const cells = cpuRoles.map((role) => cpuMedian(path, role));
      const total = cells.reduce((sum, value) => sum + (Number.isNaN(value) ? 0 : value), 0);
      const shown = cells.map((value) => (Number.isNaN(value) ? '' : value.toFixed(0)));
      return `| ${path} | ${shown.join(' | ')} | ${total.toFixed(0)} |`;
    }),
  '',
  `- CPU of the front per request, µs: gateway ${cpuMedian('gateway → user service', 'front').toFixed(0)}, raw node:http proxy ${cpuMedian(nodeProxyPath, 'front').toFixed(0)}, nginx ${cpuMedian(nginxPath, 'front').toFixed(0)}`,
  `- every request traced, the user service's CPU per request over untraced: X-Ray +${tracedCost('X-Ray', 'user service')} µs, OpenTelemetry +${tracedCost('OpenTelemetry', 'user service')} µs, with the sink's ${tracedCost('X-Ray', 'trace sink')} and ${tracedCost('OpenTelemetry', 'trace sink')} µs on top`,
  '',
  '## The aggregator against its floor',
  '',
  '`GET /api/me/overview` calls the user, order and billing services in parallel, so it can',
  'answer no sooner than the slowest of them; with every service on one core, no sooner than',
  'their sum. One connection, so the figures are latencies, not queueing.',
  '',
  '| path | req/s | p50 ms | p99 ms |',
  '|---|---|---|---|',
  ...overviewRows.map(
    (r) => `| ${r.path} | ${Math.round(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
  ),
  '',
  overviewSummary(),
  '',
  '## What the service client adds to a call',
  '',
  `The gateway's calls go through the kit's service client: undici with a circuit breaker (opossum), a deadline per call, a retry budget and the rolling statistics \`/api/status\` shows. Here the same ${clientCalls.toLocaleString('en')} GETs, ${clientConcurrency} at a time, go to a trivial upstream (\`{}\`, on CPU 0) from this process (CPU 0), through undici alone and through the kit's client; breaker closed, tracing off.`,
  '',
  '| caller | calls/s | CPU µs per call |',
  '|---|---|---|',
  ...clientRows.map(
    (r) => `| ${r.caller} | ${r.callsPerSecond.toFixed(0)} | ${r.cpuMicros.toFixed(1)} |`,
  ),
  '',
  clientSummary(),
  '',
  '## Start-up',
  '',
  `Spawn → first 200 from \`/health/ready\`, each service as its image runs it (its bundle, \`dist/bundle/server.js\`, with \`NODE_ENV=production\` and Node's compile cache filled) on CPU 0, started`,
  `alone ${values['startup-runs']} times while the rest of the system idles (PostgreSQL services first run their`,
  `migrations, not counted). \`node -e 0\` takes ${nodeBaselineMs.toFixed(0)} ms here.`,
  '',
  '| service | median ms | max ms |',
  '|---|---|---|',
  ...startupRows.map((r) => `| ${r.service} | ${r.medianMs.toFixed(0)} | ${r.maxMs.toFixed(0)} |`),
].join('\n');
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'gateway.md'), `${report}\n`);
await writeFile(
  join(values.out, 'gateway.png'),
  await renderBarChart({
    title: `GET /users/me, ${connections} connections (req/s, higher is better)`,
    bars: rows.map((r) => ({ label: r.path, value: Math.round(r.rps) })),
  }),
);
console.info(report);

/** The overview and each of its downstream calls made directly, one connection each. */
async function overviewAgainstFloor(system: SystemUnderTest, auth: string): Promise<Row[]> {
  const one = { connections: 1 };
  const direct = {
    user: `${system.service('user').url}/users/me`,
    order: `${system.service('order').url}/orders?limit=${overviewRecentOrderCount}`,
    billing: `${system.service('billing').url}/billing/account`,
  };
  const out: Row[] = [];
  for (const [service, url] of Object.entries(direct)) {
    out.push({ path: `${service} directly`, ...(await wrk(url, auth, one)) });
  }
  out.push({
    path: 'gateway /api/me/overview',
    ...(await wrk(`${system.gatewayUrl}/api/me/overview`, auth, one)),
  });
  return out;
}

function overviewSummary(): string {
  const aggregator = overviewRows.find((r) => r.path === 'gateway /api/me/overview');
  const downstream = overviewRows.filter((r) => r.path !== aggregator?.path);
  if (!aggregator || downstream.length === 0) return '';
  const slowest = Math.max(...downstream.map((r) => r.p50));
  const sum = downstream.reduce((total, r) => total + r.p50, 0);
  return [
    `- overview p50 ÷ the slowest downstream p50 (${slowest.toFixed(2)} ms, the floor with a core to spare): **${(aggregator.p50 / slowest).toFixed(2)}×**`,
    `- overview p50 ÷ the sum of the downstream p50s (${sum.toFixed(2)} ms, the floor when, as here, all services share one core): **${(aggregator.p50 / sum).toFixed(2)}×**, ${(aggregator.p50 - sum).toFixed(2)} ms for the gateway's own hop and its three calls`,
  ].join('\n');
}

/**
 * The kit's service client against undici alone (its transport), on one trivial upstream:
 * what the breaker, the deadline, the retry budget and the statistics cost per call.
 * Each caller runs twice, alternately, after a warm-up; the better run counts.
 */
async function clientOverhead(upstream: string): Promise<ClientRow[]> {
  const agent = new UndiciAgent({ keepAliveTimeout: 10_000 });
  const client = createServiceClient({
    name: 'bench',
    baseUrl: upstream,
    logger: createLogger({ service: 'bench', level: 'silent' }),
  });
  const callers = {
    'undici alone': async () => {
      const response = await undiciRequest(`${upstream}/`, { dispatcher: agent });
      await response.body.arrayBuffer();
    },
    "the kit's service client": async () => {
      await client.requestRaw({ method: 'GET', path: '/' });
    },
  };
  const measure = async (call: () => Promise<void>, calls: number) => {
    let next = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clientConcurrency }, async () => {
        while (next++ < calls) await call();
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    return { callsPerSecond: calls / seconds, cpuMicros: (used.user + used.system) / calls };
  };
  try {
    const best = new Map<string, ClientRow>();
    for (const call of Object.values(callers)) await measure(call, clientCalls / 4);
    for (let round = 0; round < 2; round++) {
      for (const [caller, call] of Object.entries(callers)) {
        const result = await measure(call, clientCalls);
        const before = best.get(caller);
        if (!before || result.cpuMicros < before.cpuMicros) best.set(caller, { caller, ...result });
      }
    }
    return [...best.values()];
  } finally {
    await client.close();
    await agent.close();
  }
}

function clientSummary(): string {
  const [bare, kit] = clientRows;
  if (!bare || !kit) return '';
  const extra = kit.cpuMicros - bare.cpuMicros;
  const difference = `**${Math.abs(extra).toFixed(1)} µs** of CPU per call ${extra >= 0 ? 'more' : 'less'}`;
  return `- the kit's client costs ${difference} than undici alone (${(kit.cpuMicros / bare.cpuMicros).toFixed(2)}×); calls/s ${(kit.callsPerSecond / bare.callsPerSecond).toFixed(2)}×`;
}

/** Each service stopped and started again alone, from its bundle, `startup-runs` times. */
async function startupPerService(connection: BackendConnection): Promise<StartupRow[]> {
  const runs = Number(values['startup-runs']);
  // Node's compile cache, as the images build it: the first start fills it.
  const compileCache = await mkdtemp(join(tmpdir(), 'sk-compile-cache-'));
  const system = await startSystem({
    connection,
    from: 'dist',
    env: Object.fromEntries(
      ['gateway', 'user', 'order', 'billing', 'email'].map((name) => [
        name,
        // As the image runs it: production settings, the compile cache filled.
        { LOG_LEVEL: 'warn', NODE_ENV: 'production', NODE_COMPILE_CACHE: compileCache },
      ]),
    ),
  });
  try {
    const out: StartupRow[] = [];
    for (const name of Object.keys(system.services)) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        await system.stopService(name);
        times.push(await system.startService(name));
      }
      times.sort((a, b) => a - b);
      out.push({
        service: name,
        medianMs: times[Math.floor(times.length / 2)] ?? Number.NaN,
        maxMs: times.at(-1) ?? Number.NaN,
      });
    }
    return out;
  } finally {
    await system.stop();
    await rm(compileCache, { recursive: true, force: true });
  }
}

/**
 * Where spans go: an X-Ray daemon stand-in (its TCP proxy's batches on the HTTP port, its
 * UDP port) and an OTLP/HTTP collector, reading and dropping what they get, in a process
 * of its own on CPU 0.
 */
async function startTraceSink(): Promise<{
  xray: string;
  http: string;
  pid: number;
  stop(): void;
}> {
  const script = `
    const dgram = require('node:dgram');
    const http = require('node:http');
    const udp = dgram.createSocket('udp4').on('message', () => {});
    udp.bind(0, '127.0.0.1', () => {
      const port = udp.address().port;
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      });
      server.listen(0, '127.0.0.1', () => {
        console.log(JSON.stringify({ udp: port, http: server.address().port }));
      });
    });`;
  const child = spawn('taskset', ['-c', '0', process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const ports = JSON.parse(line.toString()) as { udp: number; http: number };
  return {
    // The daemon's two addresses: its TCP proxy (where the kit sends batches), its UDP port.
    xray: `tcp:127.0.0.1:${ports.http} udp:127.0.0.1:${ports.udp}`,
    http: `http://127.0.0.1:${ports.http}`,
    pid: child.pid ?? 0,
    stop: () => child.kill(),
  };
}

/** What any Node process needs: spawn → exit of `node -e 0`, the median of five. */
async function nodeBaseline(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await run(process.execPath, ['-e', '0']);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[2] ?? Number.NaN;
}

/** wrk on CPU 1; requests per second and latency percentiles from its --latency output. */
async function wrk(
  url: string,
  header?: string,
  options: { connections?: number; seconds?: number } = {},
): Promise<Omit<Row, 'path'> & { requests: number }> {
  const args = ['-c', '1', 'wrk', '-t1', `-c${options.connections ?? connections}`];
  args.push(`-d${options.seconds ?? seconds}s`, '--latency');
  if (header) args.push('-H', header);
  const { stdout } = await run('taskset', [...args, url], { timeout: (seconds + 30) * 1000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1];
  return {
    rps,
    requests,
    p50: millis(/50%\s+([\d.]+\w+)/.exec(stdout)?.[1]),
    p99: millis(/99%\s+([\d.]+\w+)/.exec(stdout)?.[1]),
    ...(non2xx ? { note: `${non2xx} non-2xx answers` } : {}),
  };
}

function millis(value: string | undefined): number {
  const match = /([\d.]+)(us|ms|s)/.exec(value ?? '');
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : n;
}

/** nginx (Debian's) in front of `upstream`, keeping connections alive, or why it is not. */
async function behindNginx(
  upstream: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> } | { skipped: string }> {
  const which = await run('sh', ['-c', 'command -v nginx']).catch(() => undefined);
  if (!which) return { skipped: 'skipped: no nginx (apt-get install nginx-light)' };
  const dir = await mkdtemp(join(tmpdir(), 'sk-nginx-'));
  const port = await freePort();
  const { host } = new URL(upstream);
  await writeFile(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream user { server ${host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://user;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const stop = async () => {
    if (nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await new Promise((resolve) => nginx.once('exit', resolve));
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.ok,
      { timeout: 10_000, description: 'nginx listening' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, pid: nginx.pid ?? 0, stop };
}

/**
 * The least a Node proxy can do: pipe each request to the upstream over kept-alive
 * sockets. A process of its own on CPU 0, as the gateway is, so its CPU is its own.
 */
async function behindNodeProxy(
  upstream: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const script = `
    const http = require('node:http');
    const target = new URL(process.argv[1]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: Number(process.argv[2]) });
    const server = http.createServer((req, res) => {
      const forwarded = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method,
          headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => res.writeHead(502).end());
      req.pipe(forwarded);
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', script, upstream, String(connections)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    url: `http://127.0.0.1:${Number(line.toString())}`,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}

/** User and system CPU of each role's processes, in clock ticks; a role gone counts 0. */
async function cpuTicks(processes: Target['processes']): Promise<Record<string, number>> {
  const ticks: Record<string, number> = {};
  for (const [role, pidsOf] of Object.entries(processes ?? {})) {
    ticks[role] = 0;
    for (const pid of await pidsOf()) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      // Fields after the command name (which may hold spaces): utime and stime are the
      // 12th and 13th of them.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks[role] += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    }
  }
  return ticks;
}

/** Every process with this command name (PostgreSQL's server and its backends). */
async function pidsNamed(name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === name) pids.push(Number(entry));
  }
  return pids;
}

/** A process and its children (nginx's master and worker). */
async function withDescendants(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const below = children.split(' ').filter(Boolean).map(Number);
  return [pid, ...(await Promise.all(below.map(withDescendants))).flat()];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
