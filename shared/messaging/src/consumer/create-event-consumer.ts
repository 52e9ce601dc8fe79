import {
  type BatchResultErrorEntry,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  CloudEvent,
  ConsumerName,
  consumerDeclarations,
  EventType,
  Topology,
} from '@storekeeper/contracts';
import { checkWithin, type ReadinessCheck, tracing } from '@storekeeper/platform';
import type { Logger } from 'pino';
import { Consumer } from 'sqs-consumer';
import { backoffDelay } from '../backoff.ts';
import { traceHeaderOf, typeAttributeOf } from '../message-attributes.ts';
import type { HandlerSpy, HandlingOutcome } from './handler-spy.ts';
import type { Inbox } from './inbox.ts';
import { parseMessage } from './parse-message.ts';
import { RetryLaterError } from './retry-later.ts';

export interface HandlerContext<Tx> {
  /** The inbox transaction: write the effect (and outbox events) on it. */
  readonly tx: Tx;
  readonly logger: Logger;
  /** 1 on first delivery; above 1 when redelivered. */
  readonly receiveCount: number;
  readonly traceHeader: string | undefined;
}

export type EventHandler<T extends EventType, Tx> = (
  event: CloudEvent<T>,
  context: HandlerContext<Tx>,
) => Promise<void>;

export type ConsumedType<C extends ConsumerName> =
  (typeof consumerDeclarations)[C]['consumes'][number];

/** One handler per event type the consumer's queue receives: no more, no fewer. */
export type EventHandlers<C extends ConsumerName, Tx> = {
  readonly [T in ConsumedType<C>]: EventHandler<T, Tx>;
};

export interface EventConsumerOptions<C extends ConsumerName, Tx> {
  readonly consumer: C;
  /** Queue name and settings come from here (resolveTopology with the environment's names). */
  readonly topology: Topology;
  readonly sqs: SQSClient;
  readonly handlers: EventHandlers<C, Tx>;
  readonly inbox: Inbox<Tx>;
  readonly logger: Logger;
  /** Records every outcome; tests wait on it. */
  readonly spy?: HandlerSpy;
  /** Skips the GetQueueUrl lookup. */
  readonly queueUrl?: string;
  /**
   * The store the handlers write to (the inbox's): when a handler fails and this check
   * fails too, the consumer receives nothing until the check passes again. A message's
   * receives are counted by SQS, so without it a database failover longer than the retry
   * delays add up to (about a minute) would send every message to the DLQ.
   */
  readonly store?: ReadinessCheck;
}

export interface EventConsumer {
  /** Resolves the queue URL and starts polling. */
  start(): Promise<void>;
  /**
   * Stops taking messages and waits (up to `timeoutMs`, default 15 s) for the ones being
   * handled to finish and be deleted. Call it in the service's shutdown, before the pool
   * closes.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** The queue answers (GetQueueAttributes); for the service's /health/ready. */
  readonly readiness: ReadinessCheck;
  /** Messages received and not yet settled (deleted, or rescheduled for a retry). */
  readonly inFlight: number;
}

/**
 * An SQS consumer on sqs-consumer (docs/adr/0032): batch receive, a visibility heartbeat
 * for slow handlers, schema validation, the inbox for idempotency, and poison messages to
 * the DLQ through the queue's redrive policy. The messages of one receive are handled
 * concurrently, then settled together: the handled ones in one DeleteMessageBatch, the
 * others' retry delays in one ChangeMessageVisibilityBatch (two requests per batch
 * instead of one per message, which is most of a consumer's cost under load).
 *
 * A message that cannot be an event comes back at once (it burns its receives quickly); a
 * failing handler's message comes back after an exponential delay (a database restart
 * should not send good messages to the DLQ), and so does one whose handler said
 * `retryLater(...)`, logged as expected rather than as a failure. When a handler fails
 * because its store is away (the `store` check fails too), nothing more is received until
 * the store answers: SQS counts every receive, and a long outage must not empty the queue
 * into the DLQ. A failed receive (SQS away) waits before the next, 1 s doubling to 20 s.
 */
export function createEventConsumer<C extends ConsumerName, Tx>(
  options: EventConsumerOptions<C, Tx>,
): EventConsumer {
  const queue = options.topology.queueOf(options.consumer);
  const settings = queue.settings;
  const log = options.logger.child({ component: 'event-consumer', queue: queue.name });
  const handlers = options.handlers as unknown as Record<string, EventHandler<EventType, Tx>>;
  const retryDelays = new WeakMap<Message, number>();
  // Batches being handled, and how many messages they hold.
  const inFlight = new Set<Promise<void>>();
  let messagesInFlight = 0;
  let queueUrl = options.queueUrl;
  let consumer: Consumer | undefined;
  let stopping = false;
  /** Set while the handlers' store is away: resolves once it answers again. */
  let storeAway: Promise<void> | undefined;
  let checkingStore = false;

  /** After a handler failed: is it the store? If so, receiving waits until it is back. */
  async function checkStore(): Promise<void> {
    const store = options.store;
    if (!store || storeAway || checkingStore || stopping) return;
    checkingStore = true;
    try {
      await checkWithin(store, storeCheckTimeoutMs);
    } catch (error) {
      log.warn(
        { err: error, store: store.name },
        "the handlers' store is unavailable; receiving paused until it answers",
      );
      storeAway = waitForStore(store).finally(() => {
        storeAway = undefined;
      });
    } finally {
      checkingStore = false;
    }
  }

  async function waitForStore(store: ReadinessCheck): Promise<void> {
    for (let failures = 1; !stopping; failures++) {
      await new Promise((resolve) => setTimeout(resolve, receiveBackoffMs(failures)).unref());
      if (stopping) return;
      try {
        await checkWithin(store, storeCheckTimeoutMs);
        log.info(
          { store: store.name, checks: failures + 1 },
          "the handlers' store answers; receiving again",
        );
        return;
      } catch {
        // Still away: the next check after a longer wait.
      }
    }
  }

  /**
   * The SQS client as sqs-consumer sees it: a receive waits while the store is away (or
   * until the consumer is stopped); every other call goes straight through.
   */
  const gatedSqs = new Proxy(options.sqs, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown, sendOptions?: { abortSignal?: AbortSignal }) => {
        if (command instanceof ReceiveMessageCommand && storeAway) {
          await untilSettledOrAborted(storeAway, sendOptions?.abortSignal);
        }
        return (target.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, sendOptions);
      };
    },
  });

  const resolveQueueUrl = async (signal?: AbortSignal) => {
    if (queueUrl) return queueUrl;
    const { QueueUrl } = await options.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }), {
      abortSignal: signal,
    });
    if (!QueueUrl) throw new Error(`queue ${queue.name} has no URL`);
    queueUrl = QueueUrl;
    return QueueUrl;
  };

  const record = (
    message: Message,
    outcome: HandlingOutcome,
    extra: { event?: CloudEvent; error?: Error },
  ) =>
    options.spy?.record({
      outcome,
      messageId: message.MessageId ?? '',
      receiveCount: receiveCountOf(message),
      traceHeader: traceHeaderOf(message),
      at: Date.now(),
      ...extra,
    });

  /** Handles one message; resolves how to record it once it is deleted, throws to retry. */
  async function handle(message: Message): Promise<() => void> {
    const receiveCount = receiveCountOf(message);
    const messageLog = log.child({ messageId: message.MessageId, receiveCount });
    let event: CloudEvent;
    try {
      event = parseMessage(message, queue.eventTypes);
    } catch (error) {
      messageLog.warn(
        { err: error, maxReceiveCount: settings.maxReceiveCount },
        'rejected a message that is not a valid event; it goes to the DLQ after its last receive',
      );
      retryDelays.set(message, 0);
      record(message, 'rejected', { error: error as Error });
      throw error;
    }

    const eventLog = messageLog.child({ eventId: event.id, eventType: event.type });
    const handler = handlers[event.type];
    let outcome: 'processed' | 'duplicate';
    try {
      if (!handler) throw new Error(`no handler for ${event.type}`);
      outcome = await options.inbox.runOnce(event, (tx) =>
        handler(event, { tx, logger: eventLog, receiveCount, traceHeader: traceHeaderOf(message) }),
      );
    } catch (error) {
      const retryIn = Math.min(
        settings.retryMaxDelaySeconds,
        settings.retryBaseDelaySeconds * 2 ** (receiveCount - 1),
      );
      const last = receiveCount >= settings.maxReceiveCount;
      const retry = { retryInSeconds: retryIn, maxReceiveCount: settings.maxReceiveCount };
      if (error instanceof RetryLaterError) {
        // Expected while events arrive out of order; only a prerequisite that never comes
        // is worth a warning.
        eventLog[last ? 'warn' : 'info'](
          { reason: error.message, ...retry, ...(last ? { err: error } : {}) },
          last
            ? 'handler still could not proceed on the last receive; the event goes to the DLQ'
            : 'handler cannot proceed yet; will retry',
        );
        retryDelays.set(message, retryIn);
        record(message, 'deferred', { event, error });
        throw error;
      }
      // Before the batch settles, so the next receive already waits if the store is away.
      await checkStore();
      eventLog[last ? 'error' : 'warn'](
        { err: error, ...retry },
        last
          ? 'handler failed on the last receive; the event goes to the DLQ'
          : 'handler failed; will retry',
      );
      retryDelays.set(message, retryIn);
      record(message, 'failed', { event, error: error as Error });
      throw error;
    }

    if (outcome === 'duplicate') eventLog.info('event was handled before; skipped');
    return () => record(message, outcome === 'processed' ? 'handled' : 'duplicate', { event });
  }

  /**
   * Handles a receive's messages side by side, then settles them: handled ones deleted,
   * the rest made visible again after their retry delay. Settled here rather than by
   * sqs-consumer, so `stop()` knows when a message is done. A failed delete only means a
   * redelivery, which the inbox recognises; a failed visibility change, a redelivery after
   * the visibility timeout instead of the retry delay.
   */
  async function handleBatch(messages: readonly Message[]): Promise<void> {
    const outcomes = await Promise.allSettled(
      messages.map((message) =>
        // One segment per message, continuing the producer's trace (message attribute).
        tracing().inSegment(
          typeAttributeOf(message) ?? 'message',
          traceHeaderOf(message),
          () => handle(message),
          { queue: queue.name },
        ),
      ),
    );
    const done: Message[] = [];
    const recordDone: (() => void)[] = [];
    const retry: Message[] = [];
    outcomes.forEach((outcome, i) => {
      const message = messages[i] as Message;
      if (outcome.status === 'fulfilled') {
        done.push(message);
        recordDone.push(outcome.value);
      } else {
        retry.push(message);
      }
    });
    await Promise.all([
      settle('could not delete handled messages', done, (Entries) =>
        options.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries })),
      ),
      settle('could not schedule retries', retry, (Entries) =>
        options.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: Entries.map((entry, i) => ({
              ...entry,
              VisibilityTimeout: retryDelays.get(retry[i] as Message) ?? 0,
            })),
          }),
        ),
      ),
    ]);
    for (const recordOne of recordDone) recordOne();
  }

  /**
   * One batch request for `messages` (nothing when there are none), its entries in their
   * order; what fails, wholly or per entry, is logged, never thrown.
   */
  async function settle(
    failure: string,
    messages: readonly Message[],
    send: (
      entries: { Id: string; ReceiptHandle: string | undefined }[],
    ) => Promise<{ Failed?: BatchResultErrorEntry[] }>,
  ) {
    if (messages.length === 0) return;
    try {
      const { Failed = [] } = await send(
        messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      );
      if (Failed.length > 0) {
        const failed = Failed.map((f) => ({
          messageId: messages[Number(f.Id)]?.MessageId,
          code: f.Code,
        }));
        log.warn({ failed }, failure);
      }
    } catch (error) {
      log.warn({ err: error, count: messages.length }, failure);
    }
  }

  return {
    get inFlight() {
      return messagesInFlight;
    },

    async start() {
      if (consumer) return;
      stopping = false;
      const url = await resolveQueueUrl();
      consumer = Consumer.create({
        queueUrl: url,
        sqs: gatedSqs,
        batchSize: settings.batchSize,
        waitTimeSeconds: settings.waitTimeSeconds,
        visibilityTimeout: settings.visibilityTimeoutSeconds,
        heartbeatInterval: settings.heartbeatIntervalSeconds,
        attributeNames: ['All'],
        messageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        messageAttributeNames: ['All'],
        // handleBatch deletes and reschedules each message itself; it never throws.
        shouldDeleteMessages: false,
        handleMessageBatch: async (messages) => {
          const work = handleBatch(messages);
          inFlight.add(work);
          messagesInFlight += messages.length;
          try {
            await work;
          } finally {
            inFlight.delete(work);
            messagesInFlight -= messages.length;
          }
          return [];
        },
      });
      const started = consumer;
      let failedReceives = 0;
      started.on('error', (error, messages) => {
        // sqs-consumer wraps SDK errors: the original name is in `code`.
        const name = (error as Error & { code?: string }).code ?? error.name;
        if (stopping && name === 'AbortError') return;
        if (messages !== undefined) {
          log.warn({ err: error }, 'SQS request failed');
          return;
        }
        // A receive failed (SQS unreachable, throttled, refused): sqs-consumer would poll
        // again at once, so an outage would be a warning and a request every few hundred
        // milliseconds per queue. It backs off instead. sqs-consumer reads the wait as a
        // poll starts, so the second failure in a row is the first to wait, and the first
        // receive after SQS is back may still wait its last one (20 s at most).
        failedReceives += 1;
        const nextReceiveInMs = receiveBackoffMs(failedReceives);
        started.updateOption('pollingWaitTimeMs', nextReceiveInMs);
        log.warn({ err: error, failedReceives, nextReceiveInMs }, 'SQS receive failed');
      });
      const receivedAgain = () => {
        if (failedReceives === 0) return;
        log.info({ failedReceives }, 'SQS receives again');
        failedReceives = 0;
        started.updateOption('pollingWaitTimeMs', 0);
      };
      started.on('empty', receivedAgain);
      started.on('message_received', receivedAgain);
      // Already logged by handle(), with more context.
      consumer.on('processing_error', () => undefined);
      consumer.start();
      log.info({ settings }, 'consuming');
    },

    async stop(stopOptions = {}) {
      if (!consumer) return;
      stopping = true;
      // A pending long poll is cut short only when nothing is being handled: aborting
      // would also cut the heartbeats and deletes of messages in flight.
      consumer.stop(inFlight.size === 0 ? { abort: true } : undefined);
      const deadline = Date.now() + (stopOptions.timeoutMs ?? 15_000);
      while (inFlight.size > 0) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          log.error({ inFlight: messagesInFlight }, 'stopped before in-flight messages finished');
          break;
        }
        await Promise.race([
          Promise.allSettled([...inFlight]),
          new Promise((resolve) => setTimeout(resolve, remaining).unref()),
        ]);
      }
      // Nothing is in flight any more, so a long poll still pending can be cut now: left
      // running, it could take messages this process will never handle (they would come
      // back only after their visibility timeout). sqs-consumer has no public call for
      // it once stopped; its abort controller is the one its requests use.
      (consumer as unknown as { abortController?: AbortController }).abortController?.abort();
      consumer = undefined;
      log.info('stopped consuming');
    },

    readiness: {
      name: `queue:${queue.name}`,
      async check(signal) {
        const url = await resolveQueueUrl(signal);
        await options.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
          { abortSignal: signal },
        );
      },
    },
  };
}

/**
 * How long to wait before receiving again after `failures` failed receives in a row:
 * doubling from 1 s up to 20 s, each wait between half and all of its step, so replicas
 * that lost SQS together do not come back in step. A wait is never shorter than the one
 * before it until the cap.
 */
export function receiveBackoffMs(failures: number, random = Math.random): number {
  return backoffDelay(failures, { initialMs: 1_000, maxMs: 20_000 }, random);
}

const storeCheckTimeoutMs = 2_000;

/** Resolves when `promise` settles, rejects when `signal` aborts first. */
function untilSettledOrAborted(promise: Promise<void>, signal: AbortSignal | undefined) {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.finally(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

function receiveCountOf(message: Message): number {
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) && count > 0 ? count : 1;
}
