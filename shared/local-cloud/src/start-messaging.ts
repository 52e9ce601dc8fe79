import { buildApp } from 'fauxqs';
import { PortInUseError } from './ports.ts';

export interface RunningMessaging {
  readonly port: number;
  /** One endpoint for SNS and SQS. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * fauxqs (SNS + SQS) on 127.0.0.1. We build its app and listen ourselves because
 * `startFauxqs()` always binds 0.0.0.0, which would expose the emulator to the network.
 * The price is fauxqs's SQLite persistence: topics and queues are re-provisioned at every
 * start, messages do not survive a restart.
 */
export async function startMessaging(options: {
  readonly port: number;
  readonly region: string;
}): Promise<RunningMessaging> {
  const app = buildApp({ logger: false, defaultRegion: options.region });
  try {
    await app.listen({ port: options.port, host: '127.0.0.1' });
  } catch (error) {
    await app.close().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError(options.port, 'SNS/SQS (fauxqs)', { cause: error });
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await app.close();
    },
  };
}
