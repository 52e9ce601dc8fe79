import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { dynamoTables } from '@storekeeper/contracts';
import {
  createMessagingClients,
  type MessagingClients,
  provisionTopology,
} from '@storekeeper/contracts/provision';
import { messagingEndpoints, provisionDynamoTables } from '@storekeeper/local-cloud';
import {
  createEvent,
  createEventPublisher,
  createHandlerSpy,
  type EventConsumer,
  type EventPublisher,
  type HandlerSpy,
} from '@storekeeper/messaging';
import { createLifecycle, createLogger, loadConfig, type ServiceApp } from '@storekeeper/platform';
import { describeWithBackends, requireBackends, uniqueName } from '@storekeeper/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';
import { createEmailConsumer } from '../src/consumer.ts';

const logger = createLogger({ service: 'email-test', level: 'silent' });
const address = { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' };

interface Harness {
  app: ServiceApp;
  consumer: EventConsumer;
  spy: HandlerSpy;
  publisher: EventPublisher;
  close(): Promise<void>;
}

/** The email service with its consumer on an isolated copy of the topology and its own table. */
async function startEmail(env: Record<string, string> = {}): Promise<Harness> {
  const { aws } = requireBackends().connection;
  const credentials = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
  const dynamoEndpoint = aws.endpoints.dynamodb ?? aws.endpoints.default;
  const tableName = uniqueName('email-deliveries-');
  const declared = dynamoTables.find((t) => t.service === 'email');
  if (!declared) throw new Error('no email table declared');
  await provisionDynamoTables(dynamoEndpoint, {
    region: aws.region,
    credentials,
    tables: [{ ...declared, tableName }],
  });

  const clients: MessagingClients = createMessagingClients({
    region: aws.region,
    credentials,
    endpoints: messagingEndpoints(requireBackends().connection),
  });
  const provisioned = await provisionTopology({
    clients,
    suffix: uniqueName('-t', 12),
    settings: { waitTimeSeconds: 1, retryBaseDelaySeconds: 1, retryMaxDelaySeconds: 2 },
  });
  const { config } = await loadConfig(configSchema, {
    env: { DELIVERIES_TABLE: tableName, ...env },
  });
  const dynamo = new DynamoDBClient({
    region: aws.region,
    credentials,
    ...(dynamoEndpoint ? { endpoint: dynamoEndpoint } : {}),
  });
  const sesEndpoint = aws.endpoints.ses ?? aws.endpoints.default;
  const ses = new SESv2Client({
    region: aws.region,
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
    dynamo,
    ses,
    spy,
  });
  const app = await buildApp({
    config,
    logger,
    lifecycle: createLifecycle(),
    dynamo,
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
    async close() {
      await consumer.stop();
      await app.close();
      dynamo.destroy();
      ses.destroy();
      clients.destroy();
    },
  };
}

async function mailbox(app: ServiceApp, to: string) {
  const response = await app.inject({ url: `/dev/mailbox?to=${encodeURIComponent(to)}` });
  expect(response.statusCode).toBe(200);
  return response.json().messages as {
    subject: string;
    text: string;
    html: string;
    kind: string;
    status: string;
  }[];
}

const verificationRequested = (email: string, name = 'Ada Lovelace') =>
  createEvent('user.email-verification-requested', {
    userId: randomUUID(),
    email,
    name,
    verificationToken: 'q2Zt7Yb0rD5x9VwHkL3mNcP8sUeA1fGjR4oTiQyX6Bz',
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });

describeWithBackends('email consumer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startEmail();
    return () => h.close();
  });

  it('records one verification email with its link, even when the event is published twice', async () => {
    const to = `${randomUUID()}@example.com`;
    const event = verificationRequested(to, 'Ada <script>alert(1)</script>');
    await h.publisher.publish(event);
    await h.publisher.publish(event);
    await h.spy.waitFor({ id: event.id, outcome: 'handled' }, { timeoutMs: 15_000 });
    await h.spy.waitFor({ id: event.id, outcome: 'duplicate' }, { timeoutMs: 15_000 });

    const messages = await mailbox(h.app, to);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message).toMatchObject({
      kind: 'email-verification',
      status: 'recorded',
      subject: 'Verify your email address',
    });
    expect(message?.text).toContain(
      `http://127.0.0.1:8080/verify-email?token=${event.data.verificationToken}`,
    );
    expect(message?.html).toContain('Ada &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message?.html).not.toContain('<script>');
  });

  it('notifies about an order once the recipient is known, retrying until then', async () => {
    const userId = randomUUID();
    const to = `${userId}@example.com`;
    const confirmed = createEvent('order.confirmed', {
      orderId: randomUUID(),
      userId,
      totalCents: 2_500,
      currency: 'EUR',
    });
    await h.publisher.publish(confirmed);
    await h.spy.waitFor({ id: confirmed.id, outcome: 'failed' }, { timeoutMs: 15_000 });

    const signedUp = createEvent('user.signed-up', {
      userId,
      email: to,
      name: 'Grace',
      billingAddress: address,
    });
    await h.publisher.publish(signedUp);
    await h.spy.waitFor({ id: confirmed.id, outcome: 'handled' }, { timeoutMs: 20_000 });
    const [message] = await mailbox(h.app, to);
    expect(message).toMatchObject({ kind: 'order-confirmed', subject: 'Your order is confirmed' });
    expect(message?.text).toContain('€25.00');
  });

  it('answers 400 naming the field for a malformed mailbox query', async () => {
    const response = await h.app.inject({ url: '/dev/mailbox?to=not-an-address' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ in: 'querystring', field: 'to' });
  });
});

describeWithBackends('email sending through SES', () => {
  const { aws } = requireBackends().connection;
  const sesEndpoint = aws.endpoints.ses ?? aws.endpoints.default;
  // Embedded mode has no SES emulator (fauxqs and dynalite do not speak it); moto and
  // LocalStack do, so CI (external mode) runs this.
  describe.skipIf(!sesEndpoint)(
    `[needs an SES endpoint: ${sesEndpoint ? 'present' : 'none in this mode, skipped'}]`,
    () => {
      it('sends the email through SES and records the provider message id', async () => {
        const credentials = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
        const ses = new SESv2Client({ region: aws.region, credentials, endpoint: sesEndpoint });
        await ses.send(
          new CreateEmailIdentityCommand({ EmailIdentity: 'no-reply@storekeeper.example' }),
        );
        ses.destroy();
        const h = await startEmail({
          EMAIL_SENDING_ENABLED: 'true',
          EMAIL_FROM: 'no-reply@storekeeper.example',
        });
        try {
          const to = `${randomUUID()}@example.com`;
          const event = verificationRequested(to);
          await h.publisher.publish(event);
          await h.spy.waitFor({ id: event.id, outcome: 'handled' }, { timeoutMs: 15_000 });
          const [message] = await mailbox(h.app, to);
          expect(message?.status).toBe('sent');
        } finally {
          await h.close();
        }
      });
    },
  );
});
