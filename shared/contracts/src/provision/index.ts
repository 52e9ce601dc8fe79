export {
  createMessagingClients,
  type MessagingClientOptions,
  type MessagingClients,
  type MessagingEndpoints,
} from './aws-clients.ts';
export {
  type ProvisionedQueue,
  type ProvisionedTopology,
  type ProvisionTopologyOptions,
  provisionTopology,
} from './provision-topology.ts';
