import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  type SNSClient,
  SubscribeCommand,
  type Subscription,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type ConsumerName,
  resolveTopology,
  type ServiceName,
  type Topology,
  type TopologyOptions,
} from '@storekeeper/contracts';
import { createMessagingClients, type MessagingClientOptions } from './messaging-clients.ts';

export interface ProvisionedQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly deadLetterQueue: { readonly name: string; readonly url: string; readonly arn: string };
}

export interface ProvisionedTopology {
  readonly topology: Topology;
  readonly topics: Readonly<Partial<Record<ServiceName, { name: string; arn: string }>>>;
  readonly queues: Readonly<Record<ConsumerName, ProvisionedQueue>>;
}

export type ProvisionTopologyOptions = TopologyOptions &
  ({ readonly clients: { sns: SNSClient; sqs: SQSClient } } | MessagingClientOptions);

/**
 * Creates the declared topology, or brings an existing one in line with the declaration:
 * queue attributes are set again, subscriptions get the declared filter policy, and
 * subscriptions of our queues that the declaration no longer has are removed. Running it
 * twice changes nothing. Works against fauxqs, moto, LocalStack and AWS; on AWS the
 * infrastructure should own the topology; this is for dev accounts and emulators.
 */
export async function provisionTopology(
  options: ProvisionTopologyOptions,
): Promise<ProvisionedTopology> {
  const topology = resolveTopology(options);
  const owned = 'clients' in options ? undefined : createMessagingClients(options);
  const { sns, sqs } =
    'clients' in options ? options.clients : (owned as NonNullable<typeof owned>);
  try {
    const topics: Record<string, { name: string; arn: string }> = {};
    for (const topic of topology.topics) {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topic.name }));
      if (!TopicArn) throw new Error(`CreateTopic returned no ARN for ${topic.name}`);
      topics[topic.producer] = { name: topic.name, arn: TopicArn };
    }

    const queues: Record<string, ProvisionedQueue> = {};
    for (const queue of topology.queues) {
      const s = queue.settings;
      const dlq = await ensureQueue(sqs, queue.deadLetterQueueName, {
        MessageRetentionPeriod: String(s.deadLetterRetentionSeconds),
      });
      const sourceTopicArns = topology.subscriptions
        .filter((sub) => sub.consumer === queue.consumer)
        .map((sub) => topics[sub.producer]?.arn)
        .filter((arn): arn is string => arn !== undefined);
      const url = await ensureQueue(sqs, queue.name, {
        VisibilityTimeout: String(s.visibilityTimeoutSeconds),
        ReceiveMessageWaitTimeSeconds: String(s.waitTimeSeconds),
        MessageRetentionPeriod: String(s.messageRetentionSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: s.maxReceiveCount,
        }),
        // Without it, SNS on AWS may not deliver to the queue; emulators ignore it.
        Policy: JSON.stringify(snsDeliveryPolicy(sourceTopicArns)),
      });
      queues[queue.consumer] = {
        name: queue.name,
        url: url.url,
        arn: url.arn,
        deadLetterQueue: { name: queue.deadLetterQueueName, url: dlq.url, arn: dlq.arn },
      };
    }

    const queueArns = new Set(Object.values(queues).map((q) => q.arn));
    const queueArnOf = (consumer: ConsumerName) => {
      const queue = queues[consumer];
      if (!queue) throw new Error(`no queue was provisioned for ${consumer}`);
      return queue.arn;
    };
    for (const topic of topology.topics) {
      const topicArn = topics[topic.producer]?.arn as string;
      const existing = await listSubscriptions(sns, topicArn);
      const wanted = topology.subscriptions.filter((s) => s.topicName === topic.name);
      for (const subscription of wanted) {
        const queueArn = queueArnOf(subscription.consumer);
        const attributes = {
          FilterPolicy: JSON.stringify(subscription.filterPolicy),
          FilterPolicyScope: 'MessageAttributes',
          RawMessageDelivery: 'true',
        };
        const found = existing.find((e) => e.Protocol === 'sqs' && e.Endpoint === queueArn);
        if (found?.SubscriptionArn && found.SubscriptionArn !== 'PendingConfirmation') {
          for (const [AttributeName, AttributeValue] of Object.entries(attributes)) {
            await sns.send(
              new SetSubscriptionAttributesCommand({
                SubscriptionArn: found.SubscriptionArn,
                AttributeName,
                AttributeValue,
              }),
            );
          }
        } else {
          await sns.send(
            new SubscribeCommand({
              TopicArn: topicArn,
              Protocol: 'sqs',
              Endpoint: queueArn,
              Attributes: attributes,
              ReturnSubscriptionArn: true,
            }),
          );
        }
      }
      // A consumer that stopped consuming from this topic must stop receiving from it.
      const wantedArns = new Set(wanted.map((s) => queueArnOf(s.consumer)));
      for (const stale of existing) {
        const endpoint = stale.Endpoint ?? '';
        if (queueArns.has(endpoint) && !wantedArns.has(endpoint) && stale.SubscriptionArn) {
          await sns.send(new UnsubscribeCommand({ SubscriptionArn: stale.SubscriptionArn }));
        }
      }
    }

    return {
      topology,
      topics,
      queues: queues as Record<ConsumerName, ProvisionedQueue>,
    };
  } finally {
    owned?.destroy();
  }
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  let url: string | undefined;
  try {
    ({ QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: name })));
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist)) throw error;
  }
  if (url) {
    // CreateQueue refuses differing attributes of an existing queue; setting them converges.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  } else {
    ({ QueueUrl: url } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    ));
  }
  if (!url) throw new Error(`SQS returned no URL for queue ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS returned no ARN for queue ${name}`);
  return { url, arn };
}

async function listSubscriptions(sns: SNSClient, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }),
    );
    all.push(...(page.Subscriptions ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

function snsDeliveryPolicy(topicArns: readonly string[]) {
  return {
    Version: '2012-10-17',
    Statement: topicArns.length
      ? [
          {
            Sid: 'AllowDeliveryFromStorekeeperTopics',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: '*',
            Condition: { ArnEquals: { 'aws:SourceArn': [...topicArns] } },
          },
        ]
      : [],
  };
}
