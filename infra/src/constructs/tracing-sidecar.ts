import { aws_ecs as ecs, aws_iam as iam, type aws_logs as logs } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../environments.ts';

/**
 * The tracing sidecar of a task (docs/tracing.md, "On ECS"): the X-Ray daemon for
 * `TRACING=xray`, the CloudWatch agent receiving OTLP for `TRACING=otel`. The service finds
 * it on 127.0.0.1 (awsvpc: one network namespace per task); its settings come from
 * service-settings.ts. Images pinned by tag; update them with that table.
 */
export const tracingSidecarImages = {
  xray: 'public.ecr.aws/xray/aws-xray-daemon:3.3.12',
  otel: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300059.0b1207',
} as const;

export const tracingSidecarName = 'tracing';

export function addTracingSidecar(
  taskDefinition: ecs.FargateTaskDefinition,
  env: EnvironmentConfig,
  logGroup: logs.ILogGroup,
): ecs.ContainerDefinition {
  const logging = ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: tracingSidecarName });
  const sidecar =
    env.tracing === 'xray'
      ? taskDefinition.addContainer(tracingSidecarName, {
          image: ecs.ContainerImage.fromRegistry(tracingSidecarImages.xray),
          essential: false,
          cpu: 32,
          memoryReservationMiB: 64,
          // TCP: the daemon's proxy to the X-Ray API, where the kit sends batches of
          // segments; UDP: the daemon protocol of the X-Ray SDKs. Both on the task's localhost.
          portMappings: [
            { containerPort: 2000, protocol: ecs.Protocol.TCP },
            { containerPort: 2000, protocol: ecs.Protocol.UDP },
          ],
          readonlyRootFilesystem: true,
          logging,
        })
      : taskDefinition.addContainer(tracingSidecarName, {
          image: ecs.ContainerImage.fromRegistry(tracingSidecarImages.otel),
          essential: false,
          cpu: 64,
          memoryReservationMiB: 128,
          environment: {
            CW_CONFIG_CONTENT: JSON.stringify({
              traces: { traces_collected: { otlp: { http_endpoint: '127.0.0.1:4318' } } },
            }),
          },
          logging,
        });
  // Neither backend allows resource-level permissions: X-Ray's actions take only "*".
  taskDefinition.addToTaskRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ],
      resources: ['*'],
    }),
  );
  return sidecar;
}
