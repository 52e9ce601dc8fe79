import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildServiceApp, type Lifecycle, type ServiceApp } from '@storekeeper/platform';
import type { Logger } from 'pino';
import { deliveryTableReadiness } from './adapters/delivery-table-readiness.ts';
import type { Config } from './config.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly dynamo: DynamoDBClient;
}

/** The email service as a Fastify instance that never listens (server.ts does that). */
export async function buildApp(deps: AppDeps): Promise<ServiceApp> {
  return buildServiceApp({
    name: 'email',
    description:
      'Sends email through SES, keeps the delivery log in DynamoDB and serves the dev mailbox',
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    readiness: [deliveryTableReadiness(deps.dynamo, deps.config.DELIVERIES_TABLE)],
    loadShedding: { maxEventLoopDelayMs: deps.config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS },
    routes: async () => {},
  });
}
