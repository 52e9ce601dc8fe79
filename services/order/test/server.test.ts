/**
 * The order service as a process, wired by its definition (src/service.ts) to real queues
 * and topics: an order placed over HTTP goes out as order.placed, billing's answer comes
 * in from the order queue and confirms it, and SIGTERM stops every worker cleanly.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  awsEnv,
  createMessagingClients,
  type MessagingClients,
  messagingEndpoints,
  provisionTopology,
} from '@storekeeper/local-cloud';
import { createEvent, createEventPublisher, type EventPublisher } from '@storekeeper/messaging';
import {
  describeWithBackends,
  requireBackends,
  type SpawnedService,
  spawnService,
  uniqueName,
  waitFor,
} from '@storekeeper/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, expect, it } from 'vitest';
import { createOrderTestDatabase, type OrderTestDatabase, orderOf } from './helper.ts';
import { startUserServiceStub, type UserServiceStub } from './user-service-stub.ts';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeWithBackends('the order process', () => {
  let t: OrderTestDatabase;
  let users: UserServiceStub;
  let messaging: MessagingClients;
  let publisher: EventPublisher;
  let suffix: string;
  let signToken: (userId: string) => Promise<string>;

  beforeAll(async () => {
    const backends = requireBackends();
    const { aws } = backends.connection;
    t = await createOrderTestDatabase();
    const keys = await generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256' }] };
    signToken = (userId) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject(userId)
        .setIssuer('storekeeper-user')
        .setAudience('storekeeper-api')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(keys.privateKey);
    users = await startUserServiceStub({ jwks });
    messaging = createMessagingClients({
      region: aws.region,
      credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
      endpoints: messagingEndpoints(backends.connection),
    });
    suffix = uniqueName('-o', 12);
    const provisioned = await provisionTopology({ clients: messaging, suffix });
    publisher = createEventPublisher({
      sns: messaging.sns,
      topology: provisioned.topology,
      topicArns: { billing: provisioned.topics.billing?.arn ?? '' },
    });
    return async () => {
      messaging.destroy();
      await users.stop();
      await t.close();
    };
  });

  const published = async (orderId: string, type: string) => {
    const { rows } = await t.pool.query(
      `SELECT 1 FROM outbox WHERE event_type = $2 AND event->'data'->>'orderId' = $1
          AND published_at IS NOT NULL`,
      [orderId, type],
    );
    return rows.length === 1;
  };

  it('publishes a placed order, confirms it on payment.succeeded, and stops cleanly', async () => {
    const port = await freePort();
    const service: SpawnedService = spawnService(serviceDir, {
      ...awsEnv(requireBackends().connection),
      PORT: String(port),
      DATABASE_URL: t.db.url,
      TOPOLOGY_SUFFIX: suffix,
      USER_SERVICE_URL: users.url,
      JWKS_URL: `${users.url}/.well-known/jwks.json`,
      LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    try {
      await service.waitForLog((l) => l.msg === 'workers started');
      const userId = users.addUser();
      const authorization = `Bearer ${await signToken(userId)}`;
      const response = await fetch(`http://127.0.0.1:${port}/orders`, {
        method: 'POST',
        headers: { authorization, 'idempotency-key': 'k-1', 'content-type': 'application/json' },
        body: JSON.stringify(orderOf(['MUG-BLUE', 2])),
      });
      expect(response.status).toBe(202);
      const order = (await response.json()) as { id: string; totalCents: number };
      await waitFor(() => published(order.id, 'order.placed'), {
        timeout: 10_000,
        description: 'order.placed published by the relay',
      });

      const result = await publisher.publishBatch([
        {
          event: createEvent('payment.succeeded', {
            orderId: order.id,
            userId,
            chargeId: crypto.randomUUID(),
            amountCents: order.totalCents,
            currency: 'EUR',
          }),
        },
      ]);
      expect(result.failed).toEqual([]);
      await waitFor(
        async () => {
          const shown = await fetch(`http://127.0.0.1:${port}/orders/${order.id}`, {
            headers: { authorization },
          });
          return ((await shown.json()) as { status: string }).status === 'CONFIRMED';
        },
        { timeout: 15_000, description: 'the order CONFIRMED by the consumer' },
      );
      await waitFor(() => published(order.id, 'order.confirmed'), {
        timeout: 10_000,
        description: 'order.confirmed published by the relay',
      });

      service.child.kill('SIGTERM');
      expect((await service.exited).code).toBe(0);
      const stopped = service.lines.filter((l) => l.msg === 'worker stopped').map((l) => l.worker);
      expect(stopped).toEqual(
        expect.arrayContaining(['idempotency key sweeper', 'event consumer', 'outbox relay']),
      );
      // The relay stops last: it publishes what the others committed.
      expect(stopped.at(-1)).toBe('outbox relay');
    } finally {
      service.kill();
    }
  });
});
