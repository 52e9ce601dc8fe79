/**
 * `pnpm bench` (or `pnpm --filter @storekeeper/e2e bench`): orders through the whole
 * system, on the backends STOREKEEPER_BACKENDS names (embedded by default; external =
 * PG_ADMIN_URL + AWS_ENDPOINT_URL, e.g. moto). Places orders through the gateway at fixed
 * rates, one step after another, and reports for each: placed → CONFIRMED latency p50/p99
 * (from the order's own event stream) and whether every order reached a terminal state.
 * The sustained rate is the highest at which orders were placed on time, every order
 * reached a terminal state, and the pipeline kept up: p99 within --keep-up-ms. A rate the
 * system cannot carry still ends with every order terminal once the step stops and the
 * backlog drains, but its latency grows through the step, so p99 shows it.
 *
 *   --rates 25,50,100,150,200,300  orders per second, one step each
 *   --seconds 10                length of a step
 *   --keep-up-ms 1000           the p99 under which a step counts as kept up
 *   --report FILE               also write the results as Markdown
 *
 * Bounded: every wait has a deadline, and the system stops when the run ends.
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { startBackends, waitFor } from '@storekeeper/testing';
import pg from 'pg';
import { createApiClient } from '../src/api-client.ts';
import { startSystem } from '../src/start-system.ts';
import { verifiedCustomer } from '../src/verified-customer.ts';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '25,50,100,150,200,300' },
    seconds: { type: 'string', default: '10' },
    'keep-up-ms': { type: 'string', default: '1000' },
    report: { type: 'string' },
    users: { type: 'string', default: '20' },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const keepUpMs = Number(values['keep-up-ms']);

const started = await startBackends();
if (!started.backends.available) throw new Error(`backends: ${started.backends.reason}`);
const system = await startSystem({
  connection: started.backends.connection,
  env: {
    // Measured at the usual log level of a service in production.
    gateway: { LOG_LEVEL: 'warn', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
    user: { LOG_LEVEL: 'warn' },
    order: { LOG_LEVEL: 'warn' },
    billing: { LOG_LEVEL: 'warn', DEFAULT_CREDIT_LIMIT_CENTS: '1000000000' },
    email: { LOG_LEVEL: 'warn' },
  },
});
const api = createApiClient(system.gatewayUrl);
const orders = new pg.Pool({ connectionString: system.database('order').url, max: 2 });
const lines: string[] = [];

try {
  // Orders from many customers, as a shop gets them: one account's charges serialize on
  // its row lock, which is a property of one customer, not of the system.
  const tokens: string[] = [];
  for (let i = 0; i < Number(values.users); i++) tokens.push((await verifiedCustomer(api)).token);
  const products = (await api.get<{ items: { sku: string }[] }>('/api/products')).body.items;
  const sku = products[0]?.sku ?? 'none';
  let sustained = 0;
  for (const rate of rates) {
    const result = await step(rate, tokens, sku);
    const keptUp = result.terminal && result.p99 !== undefined && result.p99 <= keepUpMs;
    lines.push(
      `| ${rate} | ${result.placed} | ${result.placingOnTime ? 'yes' : 'no'} | ${result.terminal ? 'all' : `${result.settled}/${result.placed}`} | ${ms(result.p50)} | ${ms(result.p99)} | ${keptUp ? 'yes' : 'no'} |`,
    );
    console.info(lines.at(-1));
    if (!keptUp || !result.placingOnTime) break;
    sustained = rate;
  }
  const report = [
    '# Orders benchmark',
    '',
    `${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${started.backends.description}`,
    `Each step places orders through the gateway for ${seconds} s at a fixed rate, from ${tokens.length} customers in turn; latency is placed → CONFIRMED from the order's event stream.`,
    '',
    '| orders/s | placed | placed on time | terminal | p50 ms | p99 ms | kept up |',
    '|---|---|---|---|---|---|---|',
    ...lines,
    '',
    `Kept up: every order terminal and p99 within ${keepUpMs} ms; at a rate the system cannot carry the backlog, and with it the latency, grows through the step.`,
    `Sustained: ${sustained} orders/s (placed on time, every order terminal, kept up).`,
  ].join('\n');
  console.info(`\n${report}`);
  if (values.report) await writeFile(values.report, `${report}\n`);
} finally {
  await orders.end();
  await system.stop();
  await started.stop();
}

/** One step: `rate` orders per second for `seconds`, then until every order has settled. */
async function step(rate: number, tokens: readonly string[], sku: string) {
  const ids: string[] = [];
  const interval = 1000 / rate;
  const total = rate * seconds;
  const began = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = began + i * interval - performance.now();
    // Deliberate pacing of the load generator, not a wait for a result.
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      api
        .postWith<{ id: string }>(
          '/api/orders',
          { items: [{ sku, quantity: 1 }] },
          {
            token: tokens[i % tokens.length] as string,
            headers: { 'idempotency-key': crypto.randomUUID() },
          },
        )
        .then((response) => {
          if (response.status === 202) ids.push(response.body.id);
        }),
    );
  }
  await Promise.all(inFlight);
  // Placing kept pace if the last request went out within one interval of its slot.
  const placingOnTime = performance.now() - began < seconds * 1000 + 1000;
  let settled = 0;
  const terminal = await waitFor(
    async () => {
      const { rows } = await orders.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status <> 'PENDING'`,
        [ids],
      );
      settled = rows[0]?.n ?? 0;
      return settled === ids.length;
    },
    { timeout: 30_000, interval: 200, description: 'every order terminal' },
  ).then(
    () => true,
    () => false,
  );
  const { rows } = await orders.query<{ ms: number }>(
    `SELECT extract(epoch FROM (c.occurred_at - p.occurred_at)) * 1000 AS ms
       FROM order_events p JOIN order_events c ON c.order_id = p.order_id AND c.version = 2
      WHERE p.order_id = ANY($1) AND p.version = 1
      ORDER BY ms`,
    [ids],
  );
  const pct = (p: number) => {
    const row = rows[Math.min(rows.length - 1, Math.ceil((p / 100) * rows.length) - 1)];
    return row ? Math.round(Number(row.ms)) : undefined;
  };
  return {
    placed: ids.length,
    placingOnTime: placingOnTime && ids.length === total,
    terminal,
    settled,
    p50: pct(50),
    p99: pct(99),
  };
}

function ms(value: number | undefined): string {
  return value === undefined ? '–' : String(value);
}
