import { type PublicRouteService, publicRouteServices } from '@storekeeper/contracts';
import { serviceUrlSetting } from '@storekeeper/contracts/manifest';
import { createServiceClient, type ServiceClient } from '@storekeeper/platform';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';

export type Upstreams = Readonly<Record<PublicRouteService, ServiceClient>>;

/**
 * One client per service behind the gateway, each with its own circuit breaker, retry
 * budget and stats: one failing service opens its own breaker and no other.
 */
export function createUpstreams(config: Config, logger: Logger): Upstreams {
  const client = (name: PublicRouteService) => {
    // Required by the config schema, so present once the config has loaded.
    const baseUrl = config[serviceUrlSetting(name)];
    if (!baseUrl) throw new TypeError(`${serviceUrlSetting(name)} is not set`);
    return createServiceClient({
      name,
      baseUrl,
      logger,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      breaker: {
        volumeThreshold: config.UPSTREAM_BREAKER_VOLUME_THRESHOLD,
        resetTimeoutMs: config.UPSTREAM_BREAKER_RESET_MS,
      },
    });
  };
  return Object.fromEntries(publicRouteServices.map((name) => [name, client(name)])) as Upstreams;
}

export async function closeUpstreams(upstreams: Upstreams): Promise<void> {
  await Promise.all(Object.values(upstreams).map((client: ServiceClient) => client.close()));
}
