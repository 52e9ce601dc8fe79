import { createServiceClient, type ServiceClient } from '@storekeeper/platform';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';

export interface Upstreams {
  readonly user: ServiceClient;
  readonly order: ServiceClient;
  readonly billing: ServiceClient;
  readonly email: ServiceClient;
}

/**
 * One client per service behind the gateway, each with its own circuit breaker, retry
 * budget and stats: one failing service opens its own breaker and no other.
 */
export function createUpstreams(config: Config, logger: Logger): Upstreams {
  const client = (name: string, baseUrl: string) =>
    createServiceClient({
      name,
      baseUrl,
      logger,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      breaker: {
        volumeThreshold: config.UPSTREAM_BREAKER_VOLUME_THRESHOLD,
        resetTimeoutMs: config.UPSTREAM_BREAKER_RESET_MS,
      },
    });
  return {
    user: client('user', config.USER_SERVICE_URL),
    order: client('order', config.ORDER_SERVICE_URL),
    billing: client('billing', config.BILLING_SERVICE_URL),
    email: client('email', config.EMAIL_SERVICE_URL),
  };
}

export async function closeUpstreams(upstreams: Upstreams): Promise<void> {
  await Promise.all(Object.values(upstreams).map((client: ServiceClient) => client.close()));
}
