/// <reference path="./types/dynalite.d.ts" />
import dynalite from 'dynalite';
import { listenOnLoopback } from './listen.ts';
import { PortInUseError } from './ports.ts';

export interface RunningDynamo {
  readonly port: number;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * dynalite (DynamoDB on LevelDB) on 127.0.0.1. In memory unless `dataDir` is given. Tables
 * become ACTIVE at once: dynalite's default 500 ms CREATING phase only slows tests down, and
 * the provisioner waits for ACTIVE anyway, as it must on AWS.
 */
export async function startDynamo(options: {
  readonly port: number;
  readonly dataDir?: string;
}): Promise<RunningDynamo> {
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  let port: number;
  try {
    port = await listenOnLoopback(server, options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError(options.port, 'DynamoDB (dynalite)', { cause: error });
    }
    throw error;
  }
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // SDK clients keep connections alive; close() alone would wait for them.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
