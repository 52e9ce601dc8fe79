import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/** Where SNS and SQS are: one emulator (`default`), one each, or unset for AWS itself. */
export interface MessagingEndpoints {
  readonly default?: string;
  readonly sns?: string;
  readonly sqs?: string;
}

export interface MessagingClientOptions {
  readonly region: string;
  readonly endpoints?: MessagingEndpoints;
  /** For emulators; on AWS leave unset and let the SDK find the task role. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface MessagingClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  destroy(): void;
}

/**
 * SNS and SQS clients with bounded waits. An explicit endpoint wins over the SDK's own
 * `AWS_ENDPOINT_URL[_SNS|_SQS]` variables, so a caller can aim at an emulator without
 * touching the environment.
 */
export function createMessagingClients(options: MessagingClientOptions): MessagingClients {
  const common = {
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
    maxAttempts: 3,
  };
  const sns = new SNSClient({
    ...common,
    ...endpoint(options.endpoints?.sns ?? options.endpoints?.default),
  });
  const sqs = new SQSClient({
    ...common,
    // A ReceiveMessage long poll waits up to 20 s (the queue's waitTimeSeconds) by design.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 25_000 },
    // Send to the configured endpoint, not to the host in a queue URL: emulators name
    // queues after hosts that do not resolve (fauxqs: sqs.<region>.localhost). On AWS the
    // two are the same.
    useQueueUrlAsEndpoint: false,
    ...endpoint(options.endpoints?.sqs ?? options.endpoints?.default),
  });
  return {
    sns,
    sqs,
    destroy() {
      sns.destroy();
      sqs.destroy();
    },
  };
}

function endpoint(url: string | undefined) {
  return url ? { endpoint: url } : {};
}
