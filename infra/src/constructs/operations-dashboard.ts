import type { ServiceManifest } from '@storekeeper/contracts/manifest';
import { aws_cloudwatch as cloudwatch, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../environments.ts';
import { names } from '../names.ts';

/**
 * One dashboard per environment, a row per service: traffic and 5xx, p99 latency, CPU and
 * memory, and for consumers their queue and dead-letter queue. Built from metric names
 * alone, so it needs nothing from the service stacks.
 */
export class OperationsDashboard extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: {
      env: EnvironmentConfig;
      services: readonly ServiceManifest[];
      queues: ReadonlyMap<string, { queue: string; deadLetterQueue: string }>;
    },
  ) {
    super(scope, id);
    const { env } = props;
    const period = Duration.minutes(1);
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: names.cluster(env),
      defaultInterval: Duration.hours(3),
    });
    for (const service of props.services) {
      const ecsDimensions = {
        ClusterName: names.cluster(env),
        ServiceName: names.ecsService(service.name),
      };
      const http = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/ECS',
          metricName,
          dimensionsMap: { ...ecsDimensions, DiscoveryName: service.name },
          statistic,
          period,
        });
      const insights = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName,
          dimensionsMap: ecsDimensions,
          statistic: 'Average',
          period,
        });
      const row: cloudwatch.IWidget[] = [
        new cloudwatch.GraphWidget({
          title: `${service.name}: requests and 5xx`,
          left: [http('RequestCount', 'Sum')],
          right: [http('HTTPCode_Target_5XX_Count', 'Sum')],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${service.name}: latency (ms)`,
          left: [http('TargetResponseTime', 'p50'), http('TargetResponseTime', 'p99')],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${service.name}: CPU and memory used`,
          left: [insights('CpuUtilized'), insights('MemoryUtilized')],
          right: [insights('RunningTaskCount')],
          width: 6,
        }),
      ];
      const queue = props.queues.get(service.name);
      if (queue) {
        const sqs = (queueName: string, metricName: string) =>
          new cloudwatch.Metric({
            namespace: 'AWS/SQS',
            metricName,
            dimensionsMap: { QueueName: queueName },
            statistic: 'Maximum',
            period,
          });
        row.push(
          new cloudwatch.GraphWidget({
            title: `${service.name}: queue`,
            left: [
              sqs(queue.queue, 'ApproximateNumberOfMessagesVisible'),
              sqs(queue.deadLetterQueue, 'ApproximateNumberOfMessagesVisible'),
            ],
            right: [sqs(queue.queue, 'ApproximateAgeOfOldestMessage')],
            width: 6,
          }),
        );
      }
      dashboard.addWidgets(...row);
    }
  }
}
