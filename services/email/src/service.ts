import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { consumerWorker, sqsClientFor, topologyFromConfig } from '@storekeeper/messaging';
import { defineService } from '@storekeeper/platform';
import { emailTable } from './adapters/email-table.ts';
import { buildApp } from './app.ts';
import { configSchema, deliveriesTableName } from './config.ts';
import { createEmailConsumer } from './consumer.ts';

/** The email service: every email the system sends, and the record of it. */
export const service = defineService({
  name: 'email',
  description:
    'Sends email through SES, keeps the delivery log in DynamoDB and serves the dev mailbox',
  configSchema,
  stores: {
    dynamodb: [
      {
        tableName: deliveriesTableName,
        setting: 'DELIVERIES_TABLE',
        partitionKey: 'id',
        globalSecondaryIndexes: [
          { indexName: 'by-recipient', partitionKey: 'recipient', sortKey: 'createdAt' },
        ],
        timeToLiveAttribute: emailTable.expiresAt,
      },
    ],
  },
  createDeps: ({ aws }) => ({ dynamo: aws.client(DynamoDBClient), ses: aws.client(SESv2Client) }),
  buildApp: (deps, context) => buildApp({ ...context, ...deps }),
  workers: ({ dynamo, ses }, { config, logger, aws }) => {
    const topology = topologyFromConfig(config);
    return [
      consumerWorker(
        createEmailConsumer({
          config,
          logger,
          topology,
          sqs: sqsClientFor(aws, topology, 'email'),
          dynamo,
          ses,
        }),
      ),
    ];
  },
});
