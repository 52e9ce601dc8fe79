/**
 * `pnpm bench` (or `pnpm --filter @storekeeper/messaging bench`): relay and consumer
 * throughput and publish-to-handle latency on the backends STOREKEEPER_BACKENDS names
 * (embedded by default; external = PG_ADMIN_URL + AWS_ENDPOINT_URL, e.g. moto).
 *
 *   --events N     events for the throughput runs (default 2000)
 *   --latency N    events for the latency run (default 300), written at --rate per second
 *   --rate N       default 50
 *
 * Bounded: every phase has a deadline and the process stops what it started.
 */
import { parseArgs } from 'node:util';
import { orderPlaced } from '@storekeeper/contracts';
import { createMessagingClients, provisionTopology } from '@storekeeper/local-cloud';
import { createLogger, createPostgresPool, withTransaction } from '@storekeeper/platform';
import { createTestDatabase, startBackends, uniqueName, waitFor } from '@storekeeper/testing';
import { createEventConsumer } from '../src/consumer/create-event-consumer.ts';
import { createHandlerSpy } from '../src/consumer/handler-spy.ts';
import { createPostgresInbox } from '../src/consumer/postgres-inbox.ts';
import { createOutbox } from '../src/outbox/create-outbox.ts';
import { createOutboxRelay } from '../src/outbox/create-outbox-relay.ts';
import { createEventPublisher } from '../src/publisher/create-event-publisher.ts';
import { applyOutboxMigration } from '../test/helpers/messaging-fixture.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    latency: { type: 'string', default: '300' },
    rate: { type: 'string', default: '50' },
  },
});
const events = Number(values.events);
const latencyEvents = Number(values.latency);
const rate = Number(values.rate);

const started = await startBackends();
const { backends } = started;
if (!backends.available) throw new Error(`backends unavailable: ${backends.reason}`);
const logger = createLogger({ service: 'messaging-bench', level: process.env.LOG_LEVEL ?? 'warn' });
const { aws } = backends.connection;
const clients = createMessagingClients({
  region: aws.region,
  endpoints: { ...aws.endpoints },
  credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
});
const database = await createTestDatabase('bench', { connection: backends.connection });
await applyOutboxMigration(database.url, logger);
const pool = await createPostgresPool({
  connectionString: database.url,
  applicationName: 'bench',
  logger,
  max: 20,
});
const provisioned = await provisionTopology({ clients, suffix: uniqueName('-bench', 16) });
const publisher = createEventPublisher({
  sns: clients.sns,
  topology: provisioned.topology,
  topicArns: { order: provisioned.topics.order?.arn as string },
});
const outbox = createOutbox();
const spy = createHandlerSpy({ limit: events + latencyEvents + 10 });
const handledAt = new Map<string, number>();
const consumer = createEventConsumer({
  consumer: 'billing',
  topology: provisioned.topology,
  queueUrl: provisioned.queues.billing.url,
  sqs: clients.sqs,
  inbox: createPostgresInbox(pool),
  logger,
  spy,
  // The effect is the inbox row itself: this measures the backbone, not a handler.
  handlers: {
    'order.placed': async (event) => {
      handledAt.set(event.id, performance.now());
    },
    'user.signed-up': async () => undefined,
  },
});
const relay = createOutboxRelay({ pool, publisher, logger });
const results: Record<string, string> = { backends: backends.description };

try {
  // 1. Relay: a backlog of `events` rows, one relay, until the outbox is empty.
  for (let i = 0; i < events; i += 500) {
    await withTransaction(pool, async (tx) => {
      for (let j = i; j < Math.min(events, i + 500); j++) {
        await outbox.add(tx, 'order.placed', orderPlaced.example);
      }
    });
  }
  let begin = performance.now();
  relay.start();
  await waitFor(
    async () => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );
      return rows[0]?.n === 0;
    },
    { description: 'the outbox to drain', timeout: 300_000, interval: 20 },
  );
  const relaySeconds = (performance.now() - begin) / 1000;
  results.relay = `${Math.round(events / relaySeconds)} events/s (${events} in ${relaySeconds.toFixed(2)} s, 1 relay, batch 100)`;

  // 2. Consumer: the same events wait in the queue; one consumer drains it.
  begin = performance.now();
  await consumer.start();
  await waitFor(() => spy.count({ outcome: 'handled' }) >= events, {
    description: `${events} events to be handled`,
    timeout: 300_000,
    interval: 20,
  });
  const consumerSeconds = (performance.now() - begin) / 1000;
  results.consumer = `${Math.round(events / consumerSeconds)} events/s (${events} in ${consumerSeconds.toFixed(2)} s, 1 consumer, batch 10, inbox on)`;

  // 3. Latency: commit in the outbox → handler done, relay and consumer both running;
  // first the relay woken by the commit (LISTEN/NOTIFY, as the services run it), then the
  // same relay polling every 200 ms with no wake-up (how it ran before), in one run.
  await relay.stop();
  results['latency (woken at commit)'] = await measureLatency(relay);
  const polling = createOutboxRelay({
    pool,
    publisher,
    logger,
    listen: false,
    pollIntervalMs: 200,
  });
  results['latency (poll, 200 ms)'] = await measureLatency(polling);
} finally {
  await relay.stop();
  await consumer.stop();
  await pool.end();
  await database.drop();
  clients.destroy();
  await started.stop();
}

for (const [name, value] of Object.entries(results)) console.info(`${name.padEnd(26)} ${value}`);

/** Commit → handled, for `latencyEvents` events written at `rate` per second. */
async function measureLatency(under: ReturnType<typeof createOutboxRelay>): Promise<string> {
  under.start();
  try {
    const committedAt = new Map<string, number>();
    const interval = 1000 / rate;
    const begin = performance.now();
    for (let i = 0; i < latencyEvents; i++) {
      const wait = begin + i * interval - performance.now();
      // Deliberate pacing of the load generator, not a wait for a result.
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const event = await withTransaction(pool, (tx) =>
        outbox.add(tx, 'order.placed', orderPlaced.example),
      );
      committedAt.set(event.id, performance.now());
    }
    await waitFor(() => [...committedAt.keys()].every((id) => handledAt.has(id)), {
      description: 'the latency events to be handled',
      timeout: 60_000,
      interval: 20,
    });
    const latencies = [...committedAt]
      .map(([id, at]) => (handledAt.get(id) as number) - at)
      .sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ??
      Number.NaN;
    return `p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms, max ${pct(100).toFixed(0)} ms (${latencyEvents} events at ${rate}/s)`;
  } finally {
    await under.stop();
  }
}
