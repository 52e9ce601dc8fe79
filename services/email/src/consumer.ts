import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Topology } from '@storekeeper/contracts';
import { createEventConsumer, type EventConsumer, type HandlerSpy } from '@storekeeper/messaging';
import type { Logger } from 'pino';
import { createDeliveryLog } from './adapters/delivery-log.ts';
import { createDynamoInbox } from './adapters/dynamo-inbox.ts';
import { createMailer } from './adapters/mailer.ts';
import type { Config } from './config.ts';
import { emailHandlers } from './handlers/index.ts';
import { createNotifier } from './handlers/notify.ts';

export interface EmailConsumerDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly topology: Topology;
  readonly sqs: SQSClient;
  readonly dynamo: DynamoDBClient;
  readonly ses: SESv2Client;
  readonly spy?: HandlerSpy;
  readonly queueUrl?: string;
}

/** The consumer of the email queue: every notification the system sends starts here. */
export function createEmailConsumer(deps: EmailConsumerDeps): EventConsumer {
  const documents = DynamoDBDocumentClient.from(deps.dynamo);
  const log = createDeliveryLog(documents, deps.config.DELIVERIES_TABLE);
  const queue = deps.topology.queueOf('email');
  return createEventConsumer({
    consumer: 'email',
    topology: deps.topology,
    sqs: deps.sqs,
    logger: deps.logger,
    // The lease matches the visibility timeout: a claim outlives a handler only if the
    // message would have come back anyway.
    inbox: createDynamoInbox(documents, deps.config.DELIVERIES_TABLE, {
      leaseMs: queue.settings.visibilityTimeoutSeconds * 1000,
    }),
    handlers: emailHandlers({
      log,
      verifyEmailUrl: deps.config.VERIFY_EMAIL_URL,
      notifier: createNotifier({
        mailer: createMailer({
          ses: deps.ses,
          from: deps.config.EMAIL_FROM,
          sendingEnabled: deps.config.EMAIL_SENDING_ENABLED,
        }),
        log,
        keepBodies: deps.config.NODE_ENV !== 'production',
        now: () => new Date(),
      }),
    }),
    ...(deps.spy ? { spy: deps.spy } : {}),
    ...(deps.queueUrl ? { queueUrl: deps.queueUrl } : {}),
  });
}
