import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  buildServiceApp,
  type Lifecycle,
  type ReadinessCheck,
  type ServiceApp,
} from '@storekeeper/platform';
import type { Logger } from 'pino';
import { deliveryTableReadiness } from './adapters/delivery-table-readiness.ts';
import { createDynamoDeliveryStore } from './adapters/dynamo-delivery-store.ts';
import type { Config } from './config.ts';
import { mailboxRoutes } from './routes/mailbox-routes.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly dynamo: DynamoDBClient;
  /** Besides the table: the event consumer's queue, when it runs in this process. */
  readonly readiness?: readonly ReadinessCheck[];
}

/** The email service as a Fastify instance that never listens (server.ts does that). */
export async function buildApp(deps: AppDeps): Promise<ServiceApp> {
  const deliveries = createDynamoDeliveryStore(
    DynamoDBDocumentClient.from(deps.dynamo),
    deps.config.DELIVERIES_TABLE,
  );
  const devMailbox = deps.config.NODE_ENV !== 'production';
  return buildServiceApp({
    name: 'email',
    description:
      'Sends email through SES, keeps the delivery log in DynamoDB and serves the dev mailbox',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    readiness: [
      deliveryTableReadiness(deps.dynamo, deps.config.DELIVERIES_TABLE),
      ...(deps.readiness ?? []),
    ],
    loadShedding: { maxEventLoopDelayMs: deps.config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    environment: deps.config.NODE_ENV,
    routes: async (app) => {
      if (devMailbox) await app.register(mailboxRoutes(deliveries));
    },
  });
}
