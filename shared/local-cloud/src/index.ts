export {
  type AwsEndpoints,
  awsEnv,
  type BackendConnection,
  messagingEndpoints,
  type ServiceDatabase,
} from './backend-connection.ts';
export {
  isLocalCloudReadyMessage,
  type LocalCloudReadyMessage,
  localCloudCliPath,
} from './cli-protocol.ts';
export {
  type DynamoTable,
  declaredDatabases,
  declaredTables,
  type PostgresDatabase,
} from './declared-stores.ts';
export {
  createMessagingClients,
  type MessagingClientOptions,
  type MessagingClients,
  type MessagingEndpoints,
} from './messaging-clients.ts';
export { assertPortFree, type BackendName, fixedPorts, PortInUseError } from './ports.ts';
export {
  type ProvisionDynamoOptions,
  type ProvisionedTable,
  provisionDynamoTables,
} from './provision-dynamo-tables.ts';
export {
  databaseUrl,
  generatePassword,
  type ProvisionPostgresOptions,
  provisionPostgres,
} from './provision-postgres.ts';
export {
  type ProvisionedQueue,
  type ProvisionedTopology,
  type ProvisionTopologyOptions,
  provisionTopology,
} from './provision-topology.ts';
export {
  defaultDataDir,
  type LocalCloud,
  type StartLocalCloudOptions,
  startLocalCloud,
} from './start-local-cloud.ts';
export {
  createSupervisor,
  type ExitStatus,
  type OutputLine,
  type ProcessSpec,
  type SupervisedProcess,
  type Supervisor,
} from './system/create-supervisor.ts';
export { type RunSystemOptions, runSystem } from './system/run-system.ts';
export { type ServiceEnvOptions, serviceEnv } from './system/service-env.ts';
export {
  type LaunchOptions,
  type LaunchResult,
  launchServices,
  type SystemBackends,
} from './system/start-system.ts';
export {
  parseDatagram,
  receiveSegments,
  type SegmentReceiver,
} from './traces/receive-segments.ts';
export { appendSegmentsTo, readTraces, type TraceFile } from './traces/trace-file.ts';
export { renderWaterfall } from './traces/waterfall.ts';
