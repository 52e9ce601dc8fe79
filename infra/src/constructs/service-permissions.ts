import type { ServiceManifest } from '@storekeeper/contracts/manifest';
import { Aws, type aws_ecs as ecs, aws_iam as iam } from 'aws-cdk-lib';
import type { PlatformStack } from '../stacks/platform-stack.ts';

/**
 * A task role derived from what the service declares, and nothing more: publish to its
 * own topic, consume its own queue, read and write its own tables. Every statement names
 * its resources; a test checks that no SNS, SQS, SSM or DynamoDB action has `*`.
 */
export function grantDeclaredAccess(
  taskDefinition: ecs.TaskDefinition,
  service: ServiceManifest,
  platform: PlatformStack,
): void {
  const role = taskDefinition.taskRole;
  const { messaging } = platform;

  if (service.publishes.length > 0) {
    const topic = messaging.topics.get(service.name);
    if (!topic) throw new Error(`${service.name} publishes events but has no topic`);
    topic.grantPublish(role);
  }
  if (service.consumes.length > 0) {
    const queue = messaging.queues.get(service.name);
    if (!queue) throw new Error(`${service.name} consumes events but has no queue`);
    queue.grantConsumeMessages(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
        resources: [queue.queueArn],
      }),
    );
  }
  for (const declared of service.stores.dynamodb) {
    const table = platform.tables.get(declared.tableName);
    if (!table) throw new Error(`${service.name}: table ${declared.tableName} is missing`);
    // Named actions on the table and its declared indexes (no `index/*`).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:DescribeTable',
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [
          table.tableArn,
          ...declared.globalSecondaryIndexes.map(
            (index) => `${table.tableArn}/index/${index.indexName}`,
          ),
        ],
      }),
    );
  }
  for (const statement of extraStatements[service.name] ?? []) {
    role.addToPrincipalPolicy(statement());
  }
}

/**
 * What a manifest cannot say yet. Email sends through SES (when EMAIL_SENDING_ENABLED),
 * only from identities of this account and region.
 */
const extraStatements: Record<string, readonly (() => iam.PolicyStatement)[]> = {
  email: [
    () =>
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`],
      }),
  ],
};
