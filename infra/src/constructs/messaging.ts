import { resolveTopology, type Topology } from '@storekeeper/contracts';
import {
  Duration,
  aws_kms as kms,
  RemovalPolicy,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../environments.ts';

/**
 * The topics, queues, dead-letter queues and subscriptions of one environment, all from
 * the one topology declaration in `shared/contracts` (the same one `pnpm start`, the
 * tests and compose provision): nothing about who consumes what is written here.
 * Encrypted with one customer-managed key; every topic and queue refuses plain HTTP.
 */
export class Messaging extends Construct {
  readonly topology: Topology;
  readonly key: kms.Key;
  readonly topics = new Map<string, sns.Topic>();
  readonly queues = new Map<string, sqs.Queue>();
  readonly deadLetterQueues = new Map<string, sqs.Queue>();

  constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id);
    this.topology = resolveTopology({ prefix: `${env.name}-` });
    this.key = new kms.Key(this, 'Key', {
      description: `storekeeper ${env.name}: SNS topics and SQS queues`,
      enableKeyRotation: true,
      removalPolicy: env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    for (const topic of this.topology.topics) {
      this.topics.set(
        topic.producer,
        new sns.Topic(this, `Topic-${topic.producer}`, {
          topicName: topic.name,
          masterKey: this.key,
          enforceSSL: true,
        }),
      );
    }

    for (const queue of this.topology.queues) {
      const { settings } = queue;
      const deadLetterQueue = new sqs.Queue(this, `DeadLetters-${queue.consumer}`, {
        queueName: queue.deadLetterQueueName,
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        retentionPeriod: Duration.seconds(settings.deadLetterRetentionSeconds),
      });
      const main = new sqs.Queue(this, `Queue-${queue.consumer}`, {
        queueName: queue.name,
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
        retentionPeriod: Duration.seconds(settings.messageRetentionSeconds),
        receiveMessageWaitTime: Duration.seconds(settings.waitTimeSeconds),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
      });
      this.queues.set(queue.consumer, main);
      this.deadLetterQueues.set(queue.consumer, deadLetterQueue);
    }

    for (const subscription of this.topology.subscriptions) {
      const topic = this.topics.get(subscription.producer);
      const queue = this.queues.get(subscription.consumer);
      if (!topic || !queue) throw new Error(`subscription ${subscription.queueName} is dangling`);
      topic.addSubscription(
        new subscriptions.SqsSubscription(queue, {
          rawMessageDelivery: subscription.rawMessageDelivery,
          filterPolicy: {
            type: sns.SubscriptionFilter.stringFilter({
              allowlist: [...subscription.filterPolicy.type],
            }),
          },
        }),
      );
    }
  }
}
