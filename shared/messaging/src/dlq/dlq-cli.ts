/**
 * Dead-letter queue operations (docs/runbooks/dead-letter-queue.md):
 *
 *   pnpm --filter @storekeeper/messaging dlq list
 *   pnpm --filter @storekeeper/messaging dlq inspect billing [--max 20] [--show-body]
 *   pnpm --filter @storekeeper/messaging dlq redrive billing [--rate 5] [--max 100]
 *        [--type order.placed] [--event-id <id>] [--dry-run]
 *
 * Endpoint and credentials come from the usual AWS variables (AWS_REGION,
 * AWS_ENDPOINT_URL, AWS_PROFILE...); topology names from TOPOLOGY_PREFIX/TOPOLOGY_SUFFIX
 * or --prefix/--suffix.
 */
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type ConsumerName, consumerNames } from '@storekeeper/contracts';
import { topologyFromConfig } from '../messaging-config.ts';
import { inspectDeadLetters } from './inspect-dead-letters.ts';
import { redriveDeadLetters } from './redrive-dead-letters.ts';

const usage = `Usage: dlq <list | inspect <consumer> | redrive <consumer>> [options]
  consumers: ${consumerNames.join(', ')}
  --prefix, --suffix   topology names (default: TOPOLOGY_PREFIX / TOPOLOGY_SUFFIX)
  --max N              inspect: messages to show (default 10); redrive: messages to move
  --show-body          inspect: print message bodies (they may hold personal data)
  --rate N             redrive: messages per second (default 5)
  --type T             redrive: only events of this type
  --event-id ID        redrive: only this event
  --dry-run            redrive: list what would move, move nothing`;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    prefix: { type: 'string', default: process.env.TOPOLOGY_PREFIX ?? '' },
    suffix: { type: 'string', default: process.env.TOPOLOGY_SUFFIX ?? '' },
    max: { type: 'string' },
    'show-body': { type: 'boolean', default: false },
    rate: { type: 'string', default: '5' },
    type: { type: 'string' },
    'event-id': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const [command, consumerArg] = positionals;
if (flags.help || !command) {
  console.info(usage);
  process.exit(command ? 0 : 1);
}

const topology = topologyFromConfig({
  TOPOLOGY_PREFIX: flags.prefix,
  TOPOLOGY_SUFFIX: flags.suffix,
});
const sqs = new SQSClient({
  // Emulators put unresolvable hosts in queue URLs (fauxqs: sqs.<region>.localhost).
  useQueueUrlAsEndpoint: false,
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
  maxAttempts: 3,
});
const urlOf = async (name: string) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`queue ${name} has no URL`);
  return QueueUrl;
};
const depthOf = async (url: string) => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return `${Attributes.ApproximateNumberOfMessages ?? '?'} waiting, ${Attributes.ApproximateNumberOfMessagesNotVisible ?? '?'} in flight`;
};
const consumerOf = (value: string | undefined): ConsumerName => {
  if (!value || !(consumerNames as string[]).includes(value)) {
    throw new Error(`name a consumer: ${consumerNames.join(', ')}`);
  }
  return value as ConsumerName;
};

try {
  if (command === 'list') {
    for (const queue of topology.queues) {
      const [main, dead] = await Promise.all([urlOf(queue.name), urlOf(queue.deadLetterQueueName)]);
      console.info(`${queue.consumer.padEnd(8)} ${queue.name}: ${await depthOf(main)}`);
      console.info(`${''.padEnd(8)} ${queue.deadLetterQueueName}: ${await depthOf(dead)}`);
    }
  } else if (command === 'inspect') {
    const queue = topology.queueOf(consumerOf(consumerArg));
    const letters = await inspectDeadLetters({
      sqs,
      queueUrl: await urlOf(queue.deadLetterQueueName),
      max: Number(flags.max ?? 10),
    });
    console.info(`${letters.length} message(s) in ${queue.deadLetterQueueName}`);
    for (const { body, ...letter } of letters) {
      console.info(JSON.stringify(flags['show-body'] ? { ...letter, body } : letter));
    }
  } else if (command === 'redrive') {
    const queue = topology.queueOf(consumerOf(consumerArg));
    const dryRun = flags['dry-run'];
    const result = await redriveDeadLetters({
      sqs,
      fromQueueUrl: await urlOf(queue.deadLetterQueueName),
      toQueueUrl: await urlOf(queue.name),
      ratePerSecond: Number(flags.rate),
      ...(flags.max ? { max: Number(flags.max) } : {}),
      filter: (letter) =>
        (flags.type === undefined || letter.type === flags.type) &&
        (flags['event-id'] === undefined || letter.eventId === flags['event-id']),
      dryRun,
      onMessage: (letter, action) =>
        console.info(
          `${action.padEnd(10)} ${letter.type ?? '(not an event)'} ${letter.eventId ?? letter.messageId}`,
        ),
    });
    console.info(
      `${dryRun ? 'would move' : 'moved'} ${result.moved}, left ${result.skipped} in ${queue.deadLetterQueueName}`,
    );
  } else {
    throw new Error(`unknown command "${command}"\n${usage}`);
  }
} catch (error) {
  console.error(`dlq: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  sqs.destroy();
}
