import { createServer } from 'node:net';

/** Ports used by `pnpm start`, chosen away from the defaults of a system PostgreSQL (5432). */
export const fixedPorts = { postgres: 5433, messaging: 4566, dynamodb: 4569 } as const;

export type BackendName = keyof typeof fixedPorts;

export class PortInUseError extends Error {
  readonly port: number;
  constructor(port: number, what: string, options?: ErrorOptions) {
    super(
      `port ${port} on 127.0.0.1 (${what}) is already in use; is another \`pnpm start\`, ` +
        `\`docker compose up\` or a local server running? See \`ss -ltnp 'sport = :${port}'\``,
      options,
    );
    this.name = 'PortInUseError';
    this.port = port;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port that was free a moment ago. Only for servers that cannot listen on port 0 and
 * report back (PostgreSQL); the caller retries if someone else takes it in between.
 */
export function findFreePort(): Promise<number> {
  return listenOnce(0);
}

/** Fails with a message naming the port and its purpose when the port is taken. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  try {
    await listenOnce(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError(port, what, { cause: error });
    }
    throw error;
  }
}
