import { Duration } from 'aws-cdk-lib';

/**
 * What differs between dev, staging and prod: sizes, how careful a deployment is, how
 * long things are kept. Everything else is one definition (the stacks). A value that is
 * not known before deploying (a certificate, the domain) comes from CDK context
 * (`cdk.json` or `-c key=value`), never from a lookup: the app synthesizes offline.
 */
export interface EnvironmentConfig {
  readonly name: 'dev' | 'staging' | 'prod';
  /** NAT gateways: one is cheaper, one per AZ survives the loss of an AZ. */
  readonly natGateways: 1 | 2;
  readonly database: {
    /** Aurora Serverless v2 capacity, in ACUs (0 pauses a quiet dev database). */
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** A reader in the second AZ: failover in seconds instead of minutes. */
    readonly reader: boolean;
    readonly backupRetention: Duration;
  };
  readonly tasks: {
    /** Fargate task size of every service (the sidecar included). */
    readonly cpu: 256 | 512 | 1024;
    readonly memoryMiB: 512 | 1024 | 2048;
    readonly minCount: number;
    readonly maxCount: number;
  };
  readonly deployment: {
    /** Share of traffic the new revision takes first, and how long it bakes there. */
    readonly canaryPercent: number;
    readonly canaryBakeTime: Duration;
    /** After all traffic moved: how long the old revision stays, ready to take it back. */
    readonly bakeTime: Duration;
  };
  readonly logRetentionDays: 7 | 30 | 90;
  /** Tracing backend of every service (docs/tracing.md): its sidecar and settings. */
  readonly tracing: 'xray' | 'otel';
  readonly tracingSamplingRate: number;
  /** Retain data stores on stack deletion; dev can be torn down whole. */
  readonly retainData: boolean;
  /** Settings for one service in this environment, over what the app derives. */
  readonly settings: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export const environments: readonly EnvironmentConfig[] = [
  {
    name: 'dev',
    natGateways: 1,
    database: { minCapacity: 0, maxCapacity: 2, reader: false, backupRetention: Duration.days(1) },
    tasks: { cpu: 256, memoryMiB: 512, minCount: 1, maxCount: 2 },
    deployment: {
      canaryPercent: 50,
      canaryBakeTime: Duration.minutes(1),
      bakeTime: Duration.minutes(1),
    },
    logRetentionDays: 7,
    tracing: 'xray',
    tracingSamplingRate: 1,
    retainData: false,
    settings: { email: { EMAIL_SENDING_ENABLED: 'false' } },
  },
  {
    name: 'staging',
    natGateways: 1,
    database: {
      minCapacity: 0.5,
      maxCapacity: 4,
      reader: false,
      backupRetention: Duration.days(7),
    },
    tasks: { cpu: 512, memoryMiB: 1024, minCount: 2, maxCount: 4 },
    deployment: {
      canaryPercent: 10,
      canaryBakeTime: Duration.minutes(5),
      bakeTime: Duration.minutes(5),
    },
    logRetentionDays: 30,
    tracing: 'xray',
    tracingSamplingRate: 0.2,
    retainData: true,
    settings: { email: { EMAIL_SENDING_ENABLED: 'true' } },
  },
  {
    name: 'prod',
    natGateways: 2,
    database: { minCapacity: 1, maxCapacity: 16, reader: true, backupRetention: Duration.days(14) },
    tasks: { cpu: 1024, memoryMiB: 2048, minCount: 2, maxCount: 10 },
    deployment: {
      canaryPercent: 5,
      canaryBakeTime: Duration.minutes(10),
      bakeTime: Duration.minutes(10),
    },
    logRetentionDays: 90,
    tracing: 'xray',
    tracingSamplingRate: 0.05,
    retainData: true,
    settings: { email: { EMAIL_SENDING_ENABLED: 'true' } },
  },
];

/** Names every stack and resource of one environment is built from. */
export function resourcePrefix(env: EnvironmentConfig): string {
  return `storekeeper-${env.name}`;
}
