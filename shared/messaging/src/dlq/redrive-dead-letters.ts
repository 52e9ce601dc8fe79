import { setTimeout as delay } from 'node:timers/promises';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type DeadLetter, describeDeadLetter } from './inspect-dead-letters.ts';

export interface RedriveOptions {
  readonly sqs: SQSClient;
  /** The dead-letter queue to empty. */
  readonly fromQueueUrl: string;
  /** The queue the messages came from, where they are handled again. */
  readonly toQueueUrl: string;
  /** Upper bound of messages moved per second (default 5): the consumer must keep up. */
  readonly ratePerSecond?: number;
  /** Stop after this many (default: all). */
  readonly max?: number;
  /** Only move messages this accepts (e.g. one event type); the others stay. */
  readonly filter?: (letter: DeadLetter) => boolean;
  /** Report what would be moved, move nothing. */
  readonly dryRun?: boolean;
  readonly onMessage?: (letter: DeadLetter, action: 'moved' | 'skipped' | 'would-move') => void;
  readonly signal?: AbortSignal;
}

export interface RedriveResult {
  readonly moved: number;
  readonly skipped: number;
}

/**
 * Moves messages from a dead-letter queue back to their source queue at a bounded rate,
 * body and message attributes unchanged (the `type` attribute matters: it is what the
 * consumer's logs and the DLQ tools show). Each message is sent before it is deleted, so a
 * crash in between duplicates a message rather than losing it; the inbox absorbs the
 * duplicate. Works on every endpoint; on AWS, StartMessageMoveTask is the native
 * alternative (see docs/runbooks/dead-letter-queue.md).
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveResult> {
  const rate = options.ratePerSecond ?? 5;
  if (!(rate > 0)) throw new Error('ratePerSecond must be above 0');
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const interval = 1000 / rate;
  let moved = 0;
  let skipped = 0;
  let next = Date.now();
  const visited = new Set<string>();
  const leftBehind: Message[] = [];

  while (moved < max && !options.signal?.aborted) {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.fromQueueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, Math.ceil(Math.min(max - moved, rate)))),
        // Held while we work through them; released (or deleted) one by one.
        VisibilityTimeout: Math.max(30, Math.ceil(10 / rate) + 10),
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    const fresh = Messages.filter((m) => !visited.has(m.MessageId ?? ''));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      visited.add(message.MessageId ?? '');
      const letter = describeDeadLetter(message);
      if (moved >= max || (options.filter && !options.filter(letter))) {
        skipped++;
        leftBehind.push(message);
        options.onMessage?.(letter, 'skipped');
        continue;
      }
      if (options.dryRun) {
        moved++;
        leftBehind.push(message);
        options.onMessage?.(letter, 'would-move');
        continue;
      }
      // Deliberate pacing: the point of a bounded rate is to not flood the consumer.
      const wait = next - Date.now();
      if (wait > 0) await delay(wait, undefined, { signal: options.signal });
      next = Math.max(next, Date.now()) + interval;
      await moveOne(options, message);
      moved++;
      options.onMessage?.(letter, 'moved');
    }
  }
  // What stays in the DLQ is visible again at once, for the next look.
  for (const message of leftBehind) {
    await options.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: options.fromQueueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
  return { moved, skipped };
}

async function moveOne(options: RedriveOptions, message: Message): Promise<void> {
  await options.sqs.send(
    new SendMessageCommand({
      QueueUrl: options.toQueueUrl,
      MessageBody: message.Body ?? '',
      MessageAttributes: stringAttributes(message.MessageAttributes),
    }),
  );
  await options.sqs.send(
    new DeleteMessageCommand({
      QueueUrl: options.fromQueueUrl,
      ReceiptHandle: message.ReceiptHandle,
    }),
  );
}

function stringAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (!attributes) return undefined;
  const copied: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value.DataType && value.StringValue !== undefined) {
      copied[name] = { DataType: value.DataType, StringValue: value.StringValue };
    }
  }
  return copied;
}
