import type { ServiceManifest } from '@storekeeper/contracts/manifest';
import {
  aws_cloudwatch_actions as actions,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  type aws_sns as sns,
  type aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../environments.ts';
import { names } from '../names.ts';

export interface ServiceAlarmsProps {
  readonly env: EnvironmentConfig;
  readonly service: ServiceManifest;
  readonly logGroup: logs.ILogGroup;
  readonly alarmTopic: sns.ITopic;
  /** The edge's target group: its metrics are the load balancer's view of the service. */
  readonly targetGroup?: elbv2.ApplicationTargetGroup | undefined;
  readonly queue?: sqs.IQueue | undefined;
  readonly deadLetterQueue?: sqs.IQueue | undefined;
}

const minute = Duration.minutes(1);

/**
 * A service's alarms. Those in `deployment` roll an ECS deployment back when they fire
 * during its canary or bake time: a 5xx rate, p99 latency, and new dead letters. All of
 * them notify the environment's alarm topic.
 */
export class ServiceAlarms extends Construct {
  /** Names (plain strings, so the service does not depend on the alarm resources). */
  readonly deployment: string[] = [];
  readonly all: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const { env, service } = props;
    const prefix = `${names.cluster(env)}-${service.name}`;

    const http = props.targetGroup
      ? {
          requests: props.targetGroup.metrics.requestCount({ period: minute }),
          errors: props.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            period: minute,
          }),
          p99: props.targetGroup.metrics.targetResponseTime({ period: minute, statistic: 'p99' }),
          thresholdSeconds: 2,
        }
      : serviceConnectMetrics(env, service);

    const errorRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests: http.requests, errors: http.errors },
      period: minute,
      label: '5xx %',
    });
    this.add(
      true,
      errorRate.createAlarm(this, 'ErrorRateAlarm', {
        alarmName: `${prefix}-5xx-rate`,
        alarmDescription: `${service.name}: over 5 % of requests answered 5xx`,
        threshold: 5,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.alarmTopic,
    );
    this.add(
      true,
      http.p99.createAlarm(this, 'LatencyAlarm', {
        alarmName: `${prefix}-p99-latency`,
        alarmDescription: `${service.name}: p99 latency above ${http.thresholdSeconds} s`,
        threshold: http.thresholdSeconds * (props.targetGroup ? 1 : 1000),
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.alarmTopic,
    );

    if (props.queue && props.deadLetterQueue) {
      const deadLetters = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      });
      this.add(
        false,
        deadLetters.createAlarm(this, 'DeadLettersAlarm', {
          alarmName: `${prefix}-dlq-not-empty`,
          alarmDescription: `${service.name}: messages in the dead-letter queue (runbook: docs/runbooks)`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        props.alarmTopic,
      );
      // During a deployment only new dead letters count: old ones must not roll it back.
      this.add(
        true,
        new cloudwatch.MathExpression({
          expression: 'DIFF(dlq)',
          usingMetrics: { dlq: deadLetters },
          period: minute,
          label: 'new dead letters',
        }).createAlarm(this, 'NewDeadLettersAlarm', {
          alarmName: `${prefix}-dlq-growing`,
          alarmDescription: `${service.name}: the dead-letter queue grew`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        props.alarmTopic,
      );
      this.add(
        false,
        props.queue
          .metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum' })
          .createAlarm(this, 'OldestMessageAlarm', {
            alarmName: `${prefix}-oldest-message-age`,
            alarmDescription: `${service.name}: a message has waited over 5 minutes in its queue`,
            threshold: 300,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        props.alarmTopic,
      );
    }

    if (service.publishes.length > 0 && service.stores.postgres) {
      // The relay warns with outboxOldestAgeSeconds while it is behind (SNS unreachable,
      // or writes outrunning it); a metric filter turns those lines into a metric.
      const outboxAge = new logs.MetricFilter(this, 'OutboxAge', {
        logGroup: props.logGroup,
        metricNamespace: `Storekeeper/${env.name}`,
        metricName: 'OutboxOldestAgeSeconds',
        // A numeric comparison: exists() renders `= "*"`, a string match.
        filterPattern: logs.FilterPattern.numberValue('$.outboxOldestAgeSeconds', '>=', 0),
        metricValue: '$.outboxOldestAgeSeconds',
        dimensions: { Service: '$.service' },
      }).metric({ period: minute, statistic: 'Maximum', dimensionsMap: { Service: service.name } });
      this.add(
        false,
        outboxAge.createAlarm(this, 'OutboxBacklogAlarm', {
          alarmName: `${prefix}-outbox-backlog`,
          alarmDescription: `${service.name}: events wait over 2 minutes in the outbox (is SNS reachable?)`,
          threshold: 120,
          evaluationPeriods: 2,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        props.alarmTopic,
      );
    }
  }

  private add(rollsBack: boolean, alarm: cloudwatch.Alarm, topic: sns.ITopic): void {
    alarm.addAlarmAction(new actions.SnsAction(topic));
    this.all.push(alarm);
    const name = (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName;
    if (!name) throw new Error(`alarm ${alarm.node.path} has no name`);
    if (rollsBack) this.deployment.push(name);
  }
}

/** Service Connect's metrics of a service (AWS/ECS, per discovery name); latency in ms. */
function serviceConnectMetrics(env: EnvironmentConfig, service: ServiceManifest) {
  const dimensionsMap = {
    ClusterName: names.cluster(env),
    ServiceName: names.ecsService(service.name),
    DiscoveryName: service.name,
  };
  const metric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/ECS',
      metricName,
      dimensionsMap,
      statistic,
      period: minute,
    });
  return {
    requests: metric('RequestCount', 'Sum'),
    errors: metric('HTTPCode_Target_5XX_Count', 'Sum'),
    p99: metric('TargetResponseTime', 'p99'),
    thresholdSeconds: 1,
  };
}
