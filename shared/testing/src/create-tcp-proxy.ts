import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpTarget {
  readonly host: string;
  readonly port: number;
}

export interface TcpProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly target: TcpTarget;
  /** Whether the proxy is cut (refusing and dropping connections). */
  readonly isCut: boolean;
  /** Open client connections going through the proxy. */
  readonly connectionCount: number;
  /** `url` with its host and port replaced by the proxy's: point a service at this. */
  url(url: string): string;
  /** The outage: open connections are reset, new ones refused (ECONNREFUSED). */
  cut(): Promise<void>;
  /** The recovery: accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

const defaultPorts: Record<string, number> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'http:': 80,
  'https:': 443,
};

/**
 * A loopback TCP proxy in front of a backend, to simulate the backend going away and coming
 * back. Tests can cut a real server they do not own (an external PostgreSQL in CI), so the
 * "readiness turns 503, then 200 again without a restart" check runs in every mode.
 */
export async function createTcpProxy(target: string | TcpTarget): Promise<TcpProxy> {
  const upstream = typeof target === 'string' ? targetOf(target) : target;
  const sockets = new Set<Socket>();
  let clients = 0;
  let cut = false;
  let server = createProxyServer();
  let port = await listen(server, 0);

  function createProxyServer(): Server {
    return createServer((client) => {
      const backend = connect(upstream.port, upstream.host);
      clients++;
      for (const socket of [client, backend]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // Either side failing ends both, as a real broken connection would.
        socket.on('error', () => {
          client.destroy();
          backend.destroy();
        });
      }
      client.on('close', () => {
        clients--;
        backend.destroy();
      });
      backend.on('close', () => client.destroy());
      client.pipe(backend).pipe(client);
    });
  }

  async function cutConnections(): Promise<void> {
    if (cut) return;
    cut = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A reset (RST), not a polite FIN: what a crashed or unreachable server looks like.
    for (const socket of sockets) socket.resetAndDestroy();
    await closed;
  }

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    target: upstream,
    get isCut() {
      return cut;
    },
    get connectionCount() {
      return clients;
    },
    url(url) {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    cut: cutConnections,
    async restore() {
      if (!cut) return;
      server = createProxyServer();
      port = await listen(server, port);
      cut = false;
    },
    close: cutConnections,
  };
}

function targetOf(url: string): TcpTarget {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : defaultPorts[parsed.protocol];
  if (!port) throw new Error(`no port in ${parsed.protocol}// URL and no default for it`);
  return { host: parsed.hostname, port };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
