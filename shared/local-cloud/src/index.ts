export {
  type AwsEndpoints,
  awsEnv,
  type BackendConnection,
  messagingEndpoints,
  type ServiceDatabase,
  serviceEnv,
} from './backend-connection.ts';
export {
  isLocalCloudReadyMessage,
  type LocalCloudReadyMessage,
  localCloudCliPath,
} from './cli-protocol.ts';
export { assertPortFree, type BackendName, fixedPorts, PortInUseError } from './ports.ts';
export {
  type ProvisionDynamoOptions,
  type ProvisionedTable,
  provisionDynamoTables,
} from './provision-dynamo-tables.ts';
export {
  databaseUrl,
  ensureLoginRole,
  ensureOwnedDatabase,
  generatePassword,
  type ProvisionPostgresOptions,
  provisionPostgres,
} from './provision-postgres.ts';
export {
  defaultDataDir,
  type LocalCloud,
  type StartLocalCloudOptions,
  startLocalCloud,
} from './start-local-cloud.ts';
