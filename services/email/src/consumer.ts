import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Topology } from '@storekeeper/contracts';
import { createEventConsumer, type EventConsumer, type HandlerSpy } from '@storekeeper/messaging';
import type { Logger } from 'pino';
import { deliveryTableReadiness } from './adapters/delivery-table-readiness.ts';
import { createDynamoDeliveryStore } from './adapters/dynamo-delivery-store.ts';
import { createDynamoInbox } from './adapters/dynamo-inbox.ts';
import { createDynamoRecipientDirectory } from './adapters/dynamo-recipient-directory.ts';
import { createRecordOnlyMailer } from './adapters/record-only-mailer.ts';
import { createSesMailer } from './adapters/ses-mailer.ts';
import type { Config } from './config.ts';
import { createNotifier } from './domain/notifier.ts';
import { emailHandlers } from './handlers/index.ts';

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
  const { config } = deps;
  const documents = DynamoDBDocumentClient.from(deps.dynamo);
  const queue = deps.topology.queueOf('email');
  const notifier = createNotifier({
    mailer: config.EMAIL_SENDING_ENABLED
      ? createSesMailer({ ses: deps.ses, from: config.EMAIL_FROM })
      : createRecordOnlyMailer(),
    deliveries: createDynamoDeliveryStore(documents, config.DELIVERIES_TABLE),
    recipients: createDynamoRecipientDirectory(documents, config.DELIVERIES_TABLE),
    keepBodies: config.NODE_ENV !== 'production',
    now: () => new Date(),
  });
  return createEventConsumer({
    consumer: 'email',
    topology: deps.topology,
    sqs: deps.sqs,
    logger: deps.logger,
    // The lease matches the visibility timeout: a claim outlives a handler only if the
    // message would have come back anyway.
    inbox: createDynamoInbox(documents, config.DELIVERIES_TABLE, {
      leaseMs: queue.settings.visibilityTimeoutSeconds * 1000,
    }),
    handlers: emailHandlers({ notifier, verifyEmailUrl: config.VERIFY_EMAIL_URL }),
    // A DynamoDB outage pauses receiving rather than burning the messages' receives.
    store: deliveryTableReadiness(deps.dynamo, config.DELIVERIES_TABLE),
    ...(deps.spy ? { spy: deps.spy } : {}),
    ...(deps.queueUrl ? { queueUrl: deps.queueUrl } : {}),
  });
}
