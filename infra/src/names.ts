import type { EnvironmentConfig } from './environments.ts';

/**
 * The names the app gives what the pipelines use. The workflows read them from here
 * (through the stacks' outputs and these patterns), never from a list of their own, and a
 * test checks that every name a workflow uses is one of these.
 */
export const names = {
  deliveryStack: 'storekeeper-delivery',
  platformStack: (env: EnvironmentConfig) => `storekeeper-${env.name}`,
  serviceStack: (env: EnvironmentConfig, service: string) => `storekeeper-${env.name}-${service}`,
  cluster: (env: EnvironmentConfig) => `storekeeper-${env.name}`,
  /** The ECS service: named after the service, in its environment's cluster. */
  ecsService: (service: string) => service,
  /** The container that runs the service's image in its task definitions. */
  container: (service: string) => service,
  repository: (service: string) => `storekeeper/${service}`,
  /** A DynamoDB table, by its name in the owning service's manifest. */
  table: (env: EnvironmentConfig, tableName: string) => `${env.name}-${tableName}`,
  namespace: (env: EnvironmentConfig) => `storekeeper-${env.name}.internal`,
  deployRole: (env: EnvironmentConfig) => `storekeeper-${env.name}-deploy`,
  pushRole: 'storekeeper-ecr-push',
  diffRole: 'storekeeper-infra-diff',
  /** CloudFormation parameters of a service stack the deploy workflow sets. */
  imageParameter: 'ImageTag',
  migrationImageParameter: 'MigrationImageTag',
} as const;
