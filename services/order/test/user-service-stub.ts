import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The user service's internal route `GET /internal/users/:userId` (and, if asked, its JWKS)
 * on a real HTTP server on loopback: the order service calls it over the network with its
 * real client (timeouts, breaker), and the test can stop it, hold its answers or make it fail.
 */
export interface UserServiceStub {
  readonly url: string;
  /** Calls received so far. */
  readonly calls: number;
  /** A new user; `emailVerified` true unless said otherwise. Resolves the id. */
  addUser(options?: { emailVerified?: boolean }): string;
  verify(userId: string): void;
  /** Answers every call with this status until set back to undefined. */
  failWith(status: number | undefined): void;
  /** Holds every answer until the returned function is called. */
  hold(): () => void;
  /** The outage: connections refused until `start`. */
  stop(): Promise<void>;
  /** Listens again, on the same port. */
  start(): Promise<void>;
}

/** `jwks`: served at /.well-known/jwks.json too, for a service process that verifies tokens. */
export async function startUserServiceStub(
  options: { jwks?: unknown } = {},
): Promise<UserServiceStub> {
  const users = new Map<string, { emailVerified: boolean }>();
  let calls = 0;
  let failure: number | undefined;
  let gate: Promise<void> | undefined;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    calls++;
    const answer = () => respond(request, response);
    if (gate) void gate.then(answer);
    else answer();
  });

  function respond(request: IncomingMessage, response: ServerResponse) {
    const json = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/.well-known/jwks.json' && options.jwks) return json(200, options.jwks);
    if (failure) return json(failure, { code: 'INTERNAL' });
    const id = /^\/internal\/users\/([^/?]+)$/.exec(request.url ?? '')?.[1] ?? '';
    const user = users.get(decodeURIComponent(id));
    if (!user) return json(404, { code: 'USER_NOT_FOUND' });
    return json(200, {
      id,
      email: `${id}@example.test`,
      name: 'Ada Lovelace',
      emailVerified: user.emailVerified,
      billingAddress: { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' },
      createdAt: new Date().toISOString(),
    });
  }

  const listen = (port: number) =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    addUser(options = {}) {
      const id = randomUUID();
      users.set(id, { emailVerified: options.emailVerified ?? true });
      return id;
    },
    verify(userId) {
      users.set(userId, { emailVerified: true });
    },
    failWith(status) {
      failure = status;
    },
    hold() {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve));
      // Kept-alive connections of the client would otherwise hold the server open.
      server.closeAllConnections();
      await closed;
    },
    start: () => listen(port),
  };
}
