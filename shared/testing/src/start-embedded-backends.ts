import { startLocalCloud } from '@storekeeper/local-cloud';
import type { StartedBackends } from './started-backends.ts';

/** The local cloud on free ports with throw-away data: nothing to install, nothing left over. */
export async function startEmbeddedBackends(): Promise<StartedBackends> {
  const cloud = await startLocalCloud({ ports: 'ephemeral', persist: false });
  const { ports, timings } = cloud;
  return {
    backends: {
      mode: 'embedded',
      available: true,
      connection: cloud.connection,
      description:
        `PostgreSQL 127.0.0.1:${ports.postgres}, SNS/SQS 127.0.0.1:${ports.messaging}, ` +
        `DynamoDB 127.0.0.1:${ports.dynamodb} (ready in ${timings.total} ms)`,
    },
    stop: () => cloud.stop(),
  };
}
