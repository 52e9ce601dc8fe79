import { resolveTopology, type Topology, type TopologyOptions } from '@storekeeper/contracts';
import { Type } from 'typebox';

/**
 * Config a service (or the DLQ command) needs to find its copy of the topology. Spread
 * into a service's `defineConfig` properties; CDK sets them per environment.
 */
export const messagingConfigProperties = {
  TOPOLOGY_PREFIX: Type.String({
    default: '',
    pattern: '^[A-Za-z0-9_-]*$',
    description: 'Put before every topic and queue name (e.g. "staging-"); empty locally',
  }),
  TOPOLOGY_SUFFIX: Type.String({
    default: '',
    pattern: '^[A-Za-z0-9_-]*$',
    description: 'Put after every topic and queue name; empty locally',
  }),
};

/** The environment's topology from the two settings above. */
export function topologyFromConfig(config: {
  readonly TOPOLOGY_PREFIX?: string;
  readonly TOPOLOGY_SUFFIX?: string;
}): Topology {
  const options: TopologyOptions = {
    prefix: config.TOPOLOGY_PREFIX ?? '',
    suffix: config.TOPOLOGY_SUFFIX ?? '',
  };
  return resolveTopology(options);
}
