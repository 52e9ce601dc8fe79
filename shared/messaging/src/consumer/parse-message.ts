import type { Message } from '@aws-sdk/client-sqs';
import type { CloudEvent, EventType } from '@storekeeper/contracts';
import { EventValidationError, validateEvent } from '../event-validation.ts';

/**
 * The event a raw-delivered SQS message carries, validated against its schema and checked
 * to be one this queue is meant to receive. Anything else is an EventValidationError: the
 * message can never be handled and goes to the dead-letter queue.
 */
export function parseMessage(message: Message, accepted: readonly EventType[]): CloudEvent {
  let body: unknown;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch (error) {
    throw new EventValidationError(undefined, [
      { field: '(root)', message: `the message body is not JSON: ${(error as Error).message}` },
    ]);
  }
  const event = validateEvent(body);
  if (!accepted.includes(event.type)) {
    throw new EventValidationError(event.type, [
      {
        field: 'type',
        message: `this queue does not consume ${event.type} (check the filter policy)`,
      },
    ]);
  }
  return event;
}
