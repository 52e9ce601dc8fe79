/** One service's own database, reached as its own role. */
export interface ServiceDatabase {
  readonly service: string;
  readonly database: string;
  readonly role: string;
  readonly password: string;
  /** `postgresql://role:password@host:port/database`: the service's `DATABASE_URL`. */
  readonly url: string;
}

/**
 * AWS endpoints. `default` becomes `AWS_ENDPOINT_URL` (one emulator for everything:
 * LocalStack, moto); the others become `AWS_ENDPOINT_URL_<SERVICE>`, which the AWS SDK v3
 * reads by itself, so services need no endpoint code of their own. Unset means real AWS.
 */
export interface AwsEndpoints {
  readonly default?: string;
  readonly sqs?: string;
  readonly sns?: string;
  readonly dynamodb?: string;
  readonly ssm?: string;
  readonly ses?: string;
}

/**
 * Everything needed to reach a set of backing services. Plain data (JSON/structured-clone
 * safe) so it can cross process boundaries: vitest's `provide`, the CLI's IPC message.
 */
export interface BackendConnection {
  readonly postgres: {
    /** A role that may create roles and databases. Never handed to a service. */
    readonly adminUrl: string;
    readonly databases: Readonly<Record<string, ServiceDatabase>>;
  };
  readonly aws: {
    readonly region: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly endpoints: AwsEndpoints;
  };
}

const endpointVariables = {
  default: 'AWS_ENDPOINT_URL',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  sns: 'AWS_ENDPOINT_URL_SNS',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  ssm: 'AWS_ENDPOINT_URL_SSM',
  ses: 'AWS_ENDPOINT_URL_SES',
} as const satisfies Record<keyof AwsEndpoints, string>;

/** The AWS part of a service's environment: region, credentials, endpoints. */
export function awsEnv(connection: BackendConnection): Record<string, string> {
  const { aws } = connection;
  const env: Record<string, string> = {
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
  };
  for (const [key, variable] of Object.entries(endpointVariables)) {
    const endpoint = aws.endpoints[key as keyof AwsEndpoints];
    if (endpoint) env[variable] = endpoint;
  }
  return env;
}

/**
 * The backing-service variables one service needs: its own `DATABASE_URL` (PostgreSQL
 * services only; never another service's) and the AWS variables.
 */
export function backendEnv(connection: BackendConnection, service: string): Record<string, string> {
  const env = awsEnv(connection);
  const database = connection.postgres.databases[service];
  if (database) env.DATABASE_URL = database.url;
  return env;
}

/** The SNS/SQS part of a connection's endpoints, as `createMessagingClients` takes them. */
export function messagingEndpoints(
  connection: BackendConnection,
): Pick<AwsEndpoints, 'default' | 'sns' | 'sqs'> {
  const { default: fallback, sns, sqs } = connection.aws.endpoints;
  return {
    ...(fallback ? { default: fallback } : {}),
    ...(sns ? { sns } : {}),
    ...(sqs ? { sqs } : {}),
  };
}
