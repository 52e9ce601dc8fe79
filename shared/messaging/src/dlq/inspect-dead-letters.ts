import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { typeAttributeOf } from '../message-attributes.ts';

export interface DeadLetter {
  readonly messageId: string;
  /** From the `type` attribute, else the body's `type`, else undefined (not an event). */
  readonly type: string | undefined;
  readonly eventId: string | undefined;
  /** How often it was received in its source queue plus in the DLQ. */
  readonly receiveCount: number;
  readonly sentAt: string | undefined;
  readonly bodyBytes: number;
  /** The raw body; print it only when asked (it may carry personal data). */
  readonly body: string;
}

export interface InspectDeadLettersOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** At most this many messages (default 10). */
  readonly max?: number;
}

/**
 * Looks at messages in a dead-letter queue without removing them: they are received with a
 * short visibility timeout and released again at once. SQS does not promise to return every
 * message on a single look; this reads until a receive comes back empty or `max` is reached.
 */
export async function inspectDeadLetters(
  options: InspectDeadLettersOptions,
): Promise<DeadLetter[]> {
  const max = options.max ?? 10;
  const seen = new Map<string, DeadLetter>();
  const held: Message[] = [];
  try {
    while (seen.size < max) {
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          VisibilityTimeout: 30,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
      );
      if (Messages.length === 0) break;
      held.push(...Messages);
      for (const message of Messages) {
        if (message.MessageId && !seen.has(message.MessageId)) {
          seen.set(message.MessageId, describeDeadLetter(message));
        }
      }
    }
  } finally {
    await release(options.sqs, options.queueUrl, held);
  }
  return [...seen.values()];
}

export function describeDeadLetter(message: Message): DeadLetter {
  const body = message.Body ?? '';
  let parsed: { type?: unknown; id?: unknown } | undefined;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: message.MessageId ?? '',
    type: typeAttributeOf(message) ?? (typeof parsed?.type === 'string' ? parsed.type : undefined),
    eventId: typeof parsed?.id === 'string' ? parsed.id : undefined,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: Number.isFinite(sent) ? new Date(sent).toISOString() : undefined,
    bodyBytes: Buffer.byteLength(body),
    body,
  };
}

async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]) {
  for (let i = 0; i < messages.length; i += 10) {
    const part = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: part.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}
