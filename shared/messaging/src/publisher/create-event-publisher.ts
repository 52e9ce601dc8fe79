import { PublishBatchCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ServiceName } from '@storekeeper/contracts';
import { type CloudEvent, eventDefinitionOf, type Topology } from '@storekeeper/contracts';
import { validateEvent } from '../event-validation.ts';
import { snsAttributesOf } from '../message-attributes.ts';

export interface PublishEntry {
  readonly event: CloudEvent;
  readonly traceHeader?: string | undefined;
}

export interface PublishBatchResult {
  /** Ids of the events SNS accepted. */
  readonly published: readonly string[];
  /**
   * Events that were not published, with the reason: `unavailable` when SNS did not answer
   * (try again later, all of them), `refused` when it answered no for this event.
   */
  readonly failed: readonly PublishFailure[];
}

export interface PublishFailure {
  readonly id: string;
  readonly kind: 'unavailable' | 'refused';
  readonly error: Error;
}

export interface EventPublisher {
  /** Validates and publishes one event to its producer's topic; throws when it is refused. */
  publish(event: CloudEvent, options?: { traceHeader?: string | undefined }): Promise<void>;
  /** Validates and publishes many (in SNS batches of 10); reports each event's outcome. */
  publishBatch(entries: readonly PublishEntry[]): Promise<PublishBatchResult>;
}

export interface EventPublisherOptions {
  readonly sns: SNSClient;
  readonly topology: Topology;
  /** Topic ARNs are looked up once (CreateTopic is idempotent and returns the ARN). */
  readonly topicArns: Readonly<Partial<Record<ServiceName, string>>>;
}

const snsBatchLimit = 10;

/**
 * Publishes CloudEvents to SNS in structured mode: the event is the message body, the
 * `type` and trace header are message attributes. Events are validated against their
 * schema first; a non-conforming event is refused with an EventValidationError that names
 * the field. Services publish through the outbox relay, not directly (docs/adr/0031).
 */
export function createEventPublisher(options: EventPublisherOptions): EventPublisher {
  const topicArnOf = (event: CloudEvent) => {
    const producer = eventDefinitionOf(event.type).producer;
    const arn = options.topicArns[producer];
    if (!arn) {
      throw new Error(
        `no topic ARN for ${producer} (topic ${options.topology.topicOf(producer).name})`,
      );
    }
    return arn;
  };

  return {
    async publish(event, publishOptions = {}) {
      validateEvent(event);
      await options.sns.send(
        new PublishCommand({
          TopicArn: topicArnOf(event),
          Message: JSON.stringify(event),
          MessageAttributes: snsAttributesOf(event.type, publishOptions.traceHeader),
        }),
      );
    },

    async publishBatch(entries) {
      const published: string[] = [];
      const failed: PublishFailure[] = [];
      const byTopic = new Map<string, PublishEntry[]>();
      for (const entry of entries) {
        try {
          validateEvent(entry.event);
          const arn = topicArnOf(entry.event);
          byTopic.set(arn, [...(byTopic.get(arn) ?? []), entry]);
        } catch (error) {
          failed.push({ id: entry.event.id, kind: 'refused', error: error as Error });
        }
      }
      const chunks = [...byTopic].flatMap(([arn, topicEntries]) =>
        chunk(topicEntries, snsBatchLimit).map((part) => [arn, part] as const),
      );
      await Promise.all(
        chunks.map(async ([arn, part]) => {
          try {
            const result = await options.sns.send(
              new PublishBatchCommand({
                TopicArn: arn,
                PublishBatchRequestEntries: part.map((entry, index) => ({
                  Id: String(index),
                  Message: JSON.stringify(entry.event),
                  MessageAttributes: snsAttributesOf(entry.event.type, entry.traceHeader),
                })),
              }),
            );
            for (const ok of result.Successful ?? []) {
              const entry = part[Number(ok.Id)];
              if (entry) published.push(entry.event.id);
            }
            for (const refused of result.Failed ?? []) {
              const entry = part[Number(refused.Id)];
              if (!entry) continue;
              const reason = `${refused.Code ?? 'Failed'}: ${refused.Message ?? 'no message'}`;
              failed.push({
                id: entry.event.id,
                kind: 'refused',
                error: new Error(`SNS refused the event: ${reason}`),
              });
            }
          } catch (error) {
            for (const entry of part) {
              failed.push({ id: entry.event.id, kind: 'unavailable', error: error as Error });
            }
          }
        }),
      );
      return { published, failed };
    },
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
