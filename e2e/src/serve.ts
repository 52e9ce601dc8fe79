/**
 * The system under test, kept running for tools that test it from outside (schemathesis
 * in .ci/run): backends as STOREKEEPER_BACKENDS says, every service as a process, until
 * SIGTERM or SIGINT.
 *
 *   pnpm --filter @storekeeper/e2e serve [--url-file FILE] [--from source|dist]
 *
 * `--from dist` runs each service as its image does, from the bundle `pnpm build` made.
 *
 * Prints `GATEWAY_URL=…` once the system is ready (and writes the URL to FILE).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startBackends } from '@storekeeper/testing';
import { startSystem } from './start-system.ts';

const { values } = parseArgs({
  options: { 'url-file': { type: 'string' }, from: { type: 'string', default: 'source' } },
});
if (values.from !== 'source' && values.from !== 'dist') {
  console.error(`--from ${values.from}: expected source or dist`);
  process.exit(2);
}
const from = values.from;
const backends = await startBackends();
if (!backends.backends.available) {
  console.error(`backends unavailable: ${backends.backends.reason}`);
  process.exit(1);
}

let system: Awaited<ReturnType<typeof startSystem>>;
try {
  system = await startSystem({
    connection: backends.backends.connection,
    // Schemathesis sends hundreds of requests from one address.
    env: { gateway: { AUTH_RATE_LIMIT_PER_MINUTE: '100000' } },
    echo: (service, line) => process.stderr.write(`${service.padEnd(8)}| ${line}\n`),
    from,
  });
} catch (error) {
  console.error((error as Error).message);
  await backends.stop();
  process.exit(1);
}

if (values['url-file']) await writeFile(values['url-file'], system.gatewayUrl);
console.info(`GATEWAY_URL=${system.gatewayUrl}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await system.stop();
  await backends.stop();
  process.exit(0);
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, stop);
// Started through a wrapper that does not pass signals on (pnpm, a shell), we may never
// get one: losing the parent is the signal to stop, so no service outlives us.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop();
}, 500).unref();
