import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BillingAccount, OrderList, UserProfile } from '@storekeeper/contracts';
import { publicRouteServices } from '@storekeeper/contracts';
import { serviceUrlSetting } from '@storekeeper/contracts/manifest';
import {
  createLifecycle,
  createLogger,
  createTokenVerifier,
  loadConfig,
  type ServiceApp,
} from '@storekeeper/platform';
import { createTestTokens } from '@storekeeper/testing';
import { closeUpstreams, createUpstreams, type Upstreams } from '../src/adapters/upstreams.ts';
import { buildApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';

export const callerId = '0b9c3f5e-8a52-4c43-9a5e-2d2f4f3b8a11';

export const profile: UserProfile = {
  id: callerId,
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  emailVerified: true,
  billingAddress: { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' },
  createdAt: '2026-12-01T08:00:00.000Z',
};

export const orderList: OrderList = {
  items: [
    {
      id: '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f',
      status: 'CONFIRMED',
      itemCount: 2,
      totalCents: 2500,
      currency: 'EUR',
      placedAt: '2026-12-03T08:00:00.000Z',
      updatedAt: '2026-12-03T08:00:01.000Z',
    },
  ],
};

export const billingAccount: BillingAccount = {
  userId: callerId,
  billingAddress: profile.billingAddress,
  currency: 'EUR',
  creditLimitCents: 50_000,
  availableCents: 47_500,
  recentCharges: [],
  openedAt: '2026-12-01T08:00:01.000Z',
};

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly type?: string;
}

/**
 * How a stand-in behaves: `up` answers, `frozen` accepts and never answers, `failing`
 * answers 503 to everything, `down` refuses connections (the process is gone).
 */
export type StandInMode = 'up' | 'frozen' | 'failing' | 'down';

/**
 * A real HTTP server on loopback standing in for one service: it answers by path, and the
 * test can freeze it, make it fail or take it down, and see what reached it and whether
 * its sockets were closed.
 */
export interface StandIn {
  readonly url: string;
  /** Requests received, `/health/ready` excluded. */
  readonly requests: number;
  readonly probes: number;
  /** Sockets open right now. */
  readonly openSockets: number;
  /** Requests whose socket was closed before they were answered: cut by the caller. */
  readonly abandoned: number;
  /** Paths received, in order. */
  readonly paths: string[];
  set(mode: StandInMode): Promise<void>;
  /** Answers this path (without its query string) with this until told otherwise. */
  answer(path: string, answer: Answer | ((req: IncomingMessage) => Answer)): void;
  close(): Promise<void>;
}

export async function startStandIn(answers: Record<string, Answer> = {}): Promise<StandIn> {
  const routes = new Map<string, Answer | ((req: IncomingMessage) => Answer)>(
    Object.entries(answers),
  );
  let mode: StandInMode = 'up';
  let requests = 0;
  let probes = 0;
  let abandoned = 0;
  const paths: string[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/health/ready') probes++;
    else {
      requests++;
      paths.push(req.url ?? '');
    }
    req.resume();
    res.on('close', () => {
      if (!res.writableFinished) abandoned++;
    });
    if (mode === 'frozen') return;
    const send = (answer: Answer) =>
      res
        .writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' })
        .end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    if (mode === 'failing') return send({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
    if (path === '/health/ready') return send({ status: 200, body: { status: 'ready' } });
    const route = routes.get(path);
    if (!route) return send({ status: 404, body: { code: 'NOT_FOUND' } });
    send(typeof route === 'function' ? route(req) : route);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const { port } = server.address() as AddressInfo;

  async function stop() {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get probes() {
      return probes;
    },
    get openSockets() {
      return sockets.size;
    },
    get abandoned() {
      return abandoned;
    },
    paths,
    async set(next) {
      const wasDown = mode === 'down';
      mode = next;
      if (next === 'down' && !wasDown) await stop();
      if (next !== 'down' && wasDown) await listen(port);
    },
    answer(path, answer) {
      routes.set(path, answer);
    },
    async close() {
      if (mode !== 'down') await stop();
    },
  };
}

/** The four services behind the gateway, each a stand-in answering the happy path. */
export async function startStandIns() {
  const [user, order, billing, email] = await Promise.all([
    startStandIn({ '/users/me': { status: 200, body: profile } }),
    startStandIn({
      '/orders': { status: 200, body: orderList },
      '/products': { status: 200, body: { items: [] } },
    }),
    startStandIn({ '/billing/account': { status: 200, body: billingAccount } }),
    startStandIn({ '/dev/mailbox': { status: 200, body: { messages: [] } } }),
  ]);
  return {
    user,
    order,
    billing,
    email,
    async close() {
      await Promise.all([user, order, billing, email].map((standIn) => standIn.close()));
    },
  };
}

export type StandIns = Awaited<ReturnType<typeof startStandIns>>;

export interface TestGateway {
  readonly app: ServiceApp;
  readonly upstreams: Upstreams;
  /** A valid access token of `callerId`. */
  readonly token: string;
  close(): Promise<void>;
}

/** The gateway app in front of the stand-ins, with the settings given (strings, as env). */
/**
 * A `<NAME>_SERVICE_URL` for every service behind the gateway: the given ones, and for the
 * rest (a service added with `pnpm new-service --public`) an address where nothing listens.
 */
export function upstreamUrlsEnv(urls: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    publicRouteServices.map((name) => [
      serviceUrlSetting(name),
      urls[name] ?? 'http://127.0.0.1:9',
    ]),
  );
}

export async function buildTestGateway(
  standIns: Pick<StandIns, 'user' | 'order' | 'billing' | 'email'>,
  env: Record<string, string> = {},
  logger = createLogger({ service: 'gateway-test', level: 'silent' }),
): Promise<TestGateway> {
  const { config } = await loadConfig(configSchema, {
    env: {
      ...upstreamUrlsEnv({
        user: standIns.user.url,
        order: standIns.order.url,
        billing: standIns.billing.url,
        email: standIns.email.url,
      }),
      ...env,
    },
  });
  const issuer = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
  const testTokens = await createTestTokens(issuer);
  const upstreams = createUpstreams(config, logger);
  const tokens = createTokenVerifier({ keySet: testTokens.keySet, ...issuer });
  const app = await buildApp({ config, logger, lifecycle: createLifecycle(), upstreams, tokens });
  return {
    app,
    upstreams,
    token: await testTokens.sign(callerId),
    async close() {
      await app.close();
      await closeUpstreams(upstreams);
    },
  };
}

/** p50/p95/p99 by nearest rank, for reporting what a test measured. */
export function latencyPercentiles(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round(sorted[Math.ceil(p * sorted.length) - 1] ?? 0);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
