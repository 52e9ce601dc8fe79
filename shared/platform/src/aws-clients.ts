import { tracing } from './tracing/tracing.ts';

/**
 * The one timeout and retry policy for every AWS SDK v3 client a service uses (SNS,
 * SQS, DynamoDB, SSM, SES): a connection must open within 2 s, a request must answer
 * within 10 s, and a failed call is tried 3 times in all with the SDK's standard
 * jittered backoff. Endpoints come from the SDK's own variables
 * (`AWS_ENDPOINT_URL[_<SERVICE>]`), so the same code talks to an emulator or AWS.
 */
export interface AwsClientPolicy {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

export const awsClientPolicy: AwsClientPolicy = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
};

export interface AwsClientOptions {
  readonly region: string;
  /**
   * A longer wait for clients whose calls wait on purpose: an SQS long poll holds the
   * request open for up to 20 s, so its client gets the poll plus the policy's timeout.
   */
  readonly longPollSeconds?: number;
  /** Emulators only; on AWS the task role's credentials are found by the SDK. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly endpoint?: string;
  /** Settings of one client type beyond the policy, e.g. SQS's `useQueueUrlAsEndpoint`. */
  readonly clientSettings?: Readonly<Record<string, unknown>>;
}

/** What every SDK v3 client constructor accepts from the policy. */
export interface AwsClientConfig {
  readonly region: string;
  readonly maxAttempts: number;
  readonly retryMode: 'standard';
  readonly requestHandler: { readonly connectionTimeout: number; readonly requestTimeout: number };
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly endpoint?: string;
}

export function awsClientConfig(options: AwsClientOptions): AwsClientConfig {
  const longPollMs = (options.longPollSeconds ?? 0) * 1000;
  return {
    region: options.region,
    maxAttempts: awsClientPolicy.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: awsClientPolicy.connectionTimeoutMs,
      requestTimeout: longPollMs + awsClientPolicy.requestTimeoutMs,
    },
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...options.clientSettings,
  };
}

interface Destroyable {
  destroy(): void;
}

/**
 * The AWS clients of one service process, made on first use with the policy above and
 * destroyed together at shutdown. `client(SNSClient)` twice is one client.
 */
export interface AwsClients {
  client<C extends Destroyable>(
    Client: new (config: AwsClientConfig) => C,
    options?: Omit<AwsClientOptions, 'region'>,
  ): C;
  destroy(): void;
}

export function createAwsClients(region: string): AwsClients {
  const made = new Map<unknown, Destroyable>();
  return {
    client(Client, options = {}) {
      const existing = made.get(Client);
      if (existing) return existing as InstanceType<typeof Client>;
      const client = new Client(awsClientConfig({ region, ...options }));
      // Calls made inside traced work become subsegments (a no-op with tracing off).
      tracing().instrumentAwsClient(client);
      made.set(Client, client);
      return client;
    },
    destroy() {
      for (const client of made.values()) client.destroy();
      made.clear();
    },
  };
}
