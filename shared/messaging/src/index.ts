export { backoffDelay } from './backoff.ts';
export {
  type ConsumedType,
  createEventConsumer,
  type EventConsumer,
  type EventConsumerOptions,
  type EventHandler,
  type EventHandlers,
  type HandlerContext,
} from './consumer/create-event-consumer.ts';
export {
  createHandlerSpy,
  type HandlerSpy,
  type HandlingOutcome,
  type SpyFilter,
  type SpyRecord,
} from './consumer/handler-spy.ts';
export type { Inbox, InboxEntry } from './consumer/inbox.ts';
export { parseMessage } from './consumer/parse-message.ts';
export {
  createPostgresInbox,
  inboxRetentionMs,
  postgresInboxSweeper,
} from './consumer/postgres-inbox.ts';
export { RetryLaterError, retryLater } from './consumer/retry-later.ts';
export { type CreateEventOptions, createEvent } from './create-event.ts';
export {
  type DeadLetter,
  type InspectDeadLettersOptions,
  inspectDeadLetters,
} from './dlq/inspect-dead-letters.ts';
export {
  type RedriveOptions,
  type RedriveResult,
  redriveDeadLetters,
} from './dlq/redrive-dead-letters.ts';
export { type EventFieldError, EventValidationError, validateEvent } from './event-validation.ts';
export { snsAttributesOf, traceHeaderOf, typeAttributeOf } from './message-attributes.ts';
export { messagingConfigProperties, topologyFromConfig } from './messaging-config.ts';
export {
  consumerWorker,
  type OutboxRelayWorkerOptions,
  outboxRelayWorker,
  type PostgresMessagingOptions,
  postgresMessagingWorkers,
  sqsClientFor,
} from './messaging-workers.ts';
export {
  createOutbox,
  type DomainEvent,
  type Outbox,
  type OutboxOptions,
} from './outbox/create-outbox.ts';
export {
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
  type RelayRound,
} from './outbox/create-outbox-relay.ts';
export { outboxInboxMigrationUrl, readOutboxInboxMigration } from './outbox/outbox-migration.ts';
export {
  createEventPublisher,
  type EventPublisher,
  type EventPublisherOptions,
  type PublishBatchResult,
  type PublishEntry,
  type PublishFailure,
} from './publisher/create-event-publisher.ts';
export { resolveTopicArns } from './publisher/resolve-topic-arns.ts';
