import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createMessagingClients,
  type MessagingClients,
  messagingEndpoints,
  provisionTopology,
} from '@storekeeper/local-cloud';
import {
  createEvent,
  createEventPublisher,
  createHandlerSpy,
  type EventConsumer,
  type EventPublisher,
  type HandlerSpy,
} from '@storekeeper/messaging';
import { createLifecycle, createLogger, loadConfig, type ServiceApp } from '@storekeeper/platform';
import { createTestTable, requireBackends, uniqueName } from '@storekeeper/testing';
import { expect } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type Config, configSchema } from '../src/config.ts';
import { createEmailConsumer } from '../src/consumer.ts';
import { service } from '../src/service.ts';

export const logger = createLogger({ service: 'email-test', level: 'silent' });

export const address = { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' };

/** Where the backends' AWS services answer, and with which credentials. */
export function awsBackends() {
  const { aws } = requireBackends().connection;
  return {
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
    dynamoEndpoint: aws.endpoints.dynamodb ?? aws.endpoints.default,
    sesEndpoint: aws.endpoints.ses ?? aws.endpoints.default,
  };
}

/** The email table as the service declares it (src/service.ts). */
function declaredTable() {
  const declared = service.stores?.dynamodb?.[0];
  if (!declared) throw new Error('the email service declares no table');
  return declared;
}

/** A table of its own, declared like the real one, so suites never share data. */
export async function provisionEmailTable(): Promise<string> {
  const table = await createTestTable(declaredTable());
  table.close();
  return table.tableName;
}

export interface EmailTable {
  readonly tableName: string;
  readonly dynamo: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  close(): void;
}

/** A fresh email table and a client for it, for the adapters' tests. */
export async function createEmailTable(): Promise<EmailTable> {
  const { tableName, client, close } = await createTestTable(declaredTable());
  return { tableName, dynamo: client, documents: DynamoDBDocumentClient.from(client), close };
}

/** The service's config on the given table; `env` overrides the defaults. */
export async function emailConfig(
  tableName: string,
  env: Record<string, string> = {},
): Promise<Config> {
  const { config } = await loadConfig(configSchema, {
    env: { DELIVERIES_TABLE: tableName, ...env },
  });
  return config;
}

export interface EmailHarness {
  readonly app: ServiceApp;
  readonly consumer: EventConsumer;
  readonly spy: HandlerSpy;
  readonly publisher: EventPublisher;
  readonly table: EmailTable;
  close(): Promise<void>;
}

/** The email service with its consumer on an isolated copy of the topology and its own table. */
export async function startEmail(env: Record<string, string> = {}): Promise<EmailHarness> {
  const { region, credentials, sesEndpoint } = awsBackends();
  const table = await createEmailTable();
  const clients: MessagingClients = createMessagingClients({
    region,
    credentials,
    endpoints: messagingEndpoints(requireBackends().connection),
  });
  const provisioned = await provisionTopology({
    clients,
    suffix: uniqueName('-t', 12),
    settings: { waitTimeSeconds: 1, retryBaseDelaySeconds: 1, retryMaxDelaySeconds: 2 },
  });
  const config = await emailConfig(table.tableName, env);
  const ses = new SESv2Client({
    region,
    credentials,
    ...(sesEndpoint ? { endpoint: sesEndpoint } : {}),
  });
  const spy = createHandlerSpy();
  const consumer = createEmailConsumer({
    config,
    logger,
    topology: provisioned.topology,
    queueUrl: provisioned.queues.email.url,
    sqs: clients.sqs,
    dynamo: table.dynamo,
    ses,
    spy,
  });
  const app = await buildApp({
    config,
    logger,
    lifecycle: createLifecycle(),
    dynamo: table.dynamo,
    readiness: [consumer.readiness],
  });
  await consumer.start();
  const publisher = createEventPublisher({
    sns: clients.sns,
    topology: provisioned.topology,
    topicArns: Object.fromEntries(Object.entries(provisioned.topics).map(([p, t]) => [p, t?.arn])),
  });
  return {
    app,
    consumer,
    spy,
    publisher,
    table,
    async close() {
      await consumer.stop();
      await app.close();
      table.close();
      ses.destroy();
      clients.destroy();
    },
  };
}

export interface MailboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: string;
  status: string;
  createdAt: string;
}

/** What the dev mailbox shows for an address. */
export async function mailbox(app: ServiceApp, to: string): Promise<MailboxMessage[]> {
  const response = await app.inject({ url: `/dev/mailbox?to=${encodeURIComponent(to)}` });
  expect(response.statusCode).toBe(200);
  return response.json().messages;
}

export const verificationRequested = (email: string, name = 'Ada Lovelace') =>
  createEvent('user.email-verification-requested', {
    userId: randomUUID(),
    email,
    name,
    verificationToken: 'q2Zt7Yb0rD5x9VwHkL3mNcP8sUeA1fGjR4oTiQyX6Bz',
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
