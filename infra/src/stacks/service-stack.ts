import type { ServiceManifest } from '@storekeeper/contracts/manifest';
import {
  Annotations,
  Aws,
  aws_applicationautoscaling as appscaling,
  CfnOutput,
  CfnParameter,
  Duration,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  RemovalPolicy,
  Size,
  Stack,
  type StackProps,
  type aws_sns as sns,
  aws_ssm as ssm,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ServiceAlarms } from '../constructs/service-alarms.ts';
import { grantDeclaredAccess } from '../constructs/service-permissions.ts';
import { addTracingSidecar } from '../constructs/tracing-sidecar.ts';
import type { EnvironmentConfig } from '../environments.ts';
import { names } from '../names.ts';
import type { ServiceSettings } from '../service-settings.ts';
import type { PlatformStack } from './platform-stack.ts';

export interface ServiceStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly service: ServiceManifest;
  readonly settings: ServiceSettings;
  readonly platform: PlatformStack;
  readonly alarmTopic: sns.ITopic;
  /** This service is behind the load balancer. */
  readonly edge: boolean;
}

/** What the images are built for (`docker build --platform linux/amd64` in _service.yml). */
const linuxX86: ecs.RuntimePlatform = {
  cpuArchitecture: ecs.CpuArchitecture.X86_64,
  operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
};

/** The stop timeout ECS gives a container after SIGTERM; SHUTDOWN_TIMEOUT_MS fits inside. */
const stopTimeout = Duration.seconds(30);

/**
 * One service in one environment, read from its manifest: the Fargate service with its
 * tracing sidecar and secrets from SSM, its task role from the topology, Service Connect,
 * scaling, alarms, a canary deployment that alarms roll back, and its one-off tasks
 * (database set-up and migrations for PostgreSQL services). The image is a parameter:
 * the service's pipeline deploys a new one by changing only that (see _deploy.yml).
 */
export class ServiceStack extends Stack {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly alarms: ServiceAlarms;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config: env, service: manifest, platform } = props;
    const family = `${names.cluster(env)}-${manifest.name}`;

    const imageTag = new CfnParameter(this, names.imageParameter, {
      type: 'String',
      description: `Tag of storekeeper/${manifest.name} in ECR that the service runs (the commit SHA)`,
      allowedPattern: '^[A-Za-z0-9_.-]{1,128}$',
    });
    const repository = ecr.Repository.fromRepositoryName(
      this,
      'Repository',
      names.repository(manifest.name),
    );
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/storekeeper/${env.name}/${manifest.name}`,
      retention: env.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family,
      cpu: env.tasks.cpu,
      memoryLimitMiB: env.tasks.memoryMiB,
      runtimePlatform: linuxX86,
    });
    const container = this.addServiceContainer(this.taskDefinition, {
      image: ecs.ContainerImage.fromEcrRepository(repository, imageTag.valueAsString),
      manifest,
      settings: props.settings,
      logGroup,
    });
    const sidecar = addTracingSidecar(this.taskDefinition, env, logGroup);
    container.addContainerDependencies({
      container: sidecar,
      condition: ecs.ContainerDependencyCondition.START,
    });
    grantDeclaredAccess(this.taskDefinition, manifest, platform);

    const securityGroup = platform.securityGroups.get(manifest.name);
    if (!securityGroup) throw new Error(`${manifest.name} has no security group`);
    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: names.ecsService(manifest.name),
      cluster: platform.cluster,
      taskDefinition: this.taskDefinition,
      // Left to scaling (its minimum is the environment's minCount): a desired count in the
      // template would reset a scaled-out service on every deployment.
      desiredCount: undefined,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      securityGroups: [securityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      healthCheckGracePeriod: props.edge ? Duration.seconds(30) : undefined,
      deploymentStrategy: ecs.DeploymentStrategy.CANARY,
      canaryConfiguration: {
        stepPercent: env.deployment.canaryPercent,
        stepBakeTime: env.deployment.canaryBakeTime,
      },
      bakeTime: env.deployment.bakeTime,
      serviceConnectConfiguration: {
        namespace: platform.cluster.defaultCloudMapNamespace?.namespaceArn,
        services: [
          {
            portMappingName: 'http',
            discoveryName: manifest.name,
            dnsName: manifest.name,
            port: manifest.port,
            perRequestTimeout: Duration.seconds(15),
          },
        ],
        logDriver: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'service-connect' }),
      },
    });

    const targetGroup = props.edge ? this.addToLoadBalancer(manifest, platform) : undefined;
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      env,
      service: manifest,
      logGroup,
      alarmTopic: props.alarmTopic,
      targetGroup,
      queue: platform.messaging.queues.get(manifest.name),
      deadLetterQueue: platform.messaging.deadLetterQueues.get(manifest.name),
    });
    this.service.enableDeploymentAlarms(this.alarms.deployment, {
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    });
    this.addScaling(env, manifest, platform);
    acknowledgeTaskFindings(this.taskDefinition);
    Annotations.of(this.service).acknowledgeWarning(
      '@aws-cdk/aws-ecs:shouldUseCircuitBreaker',
      'The circuit breaker works with rolling deployments only; a canary is watched by its alarms and rolled back by them',
    );
    const canaryRole = this.service.node.tryFindChild('CanaryRole');
    if (canaryRole) {
      Validations.of(canaryRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
        reason:
          "AWS's managed policy for the role ECS shifts canary traffic between target groups with; it tracks what that needs",
      });
    }

    if (manifest.stores.postgres) {
      this.addDatabaseTasks(env, manifest, props.settings, platform, repository, logGroup);
    }

    // What the deploy workflow reads (the cluster is the platform stack's output).
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
  }

  private addServiceContainer(
    taskDefinition: ecs.FargateTaskDefinition,
    props: {
      image: ecs.ContainerImage;
      manifest: ServiceManifest;
      settings: ServiceSettings;
      logGroup: logs.ILogGroup;
      command?: string[];
    },
  ): ecs.ContainerDefinition {
    const { manifest, settings } = props;
    // The root file system is read-only; Node and the kit write only to /tmp.
    taskDefinition.addVolume({ name: 'tmp' });
    const container = taskDefinition.addContainer(names.container(manifest.name), {
      image: props.image,
      essential: true,
      command: props.command,
      environment: { ...settings.environment },
      secrets: Object.fromEntries(
        Object.entries(settings.secrets).map(([name, parameterName]) => [
          name,
          ecs.Secret.fromSsmParameter(
            ssm.StringParameter.fromSecureStringParameterAttributes(
              this,
              `Secret-${taskDefinition.node.id}-${name}`,
              {
                parameterName,
              },
            ),
          ),
        ]),
      ),
      portMappings: props.command
        ? []
        : [
            {
              name: 'http',
              containerPort: manifest.port,
              appProtocol: ecs.AppProtocol.http,
            },
          ],
      healthCheck: props.command
        ? undefined
        : {
            // The image's own HEALTHCHECK, which ECS does not read.
            command: [
              'CMD',
              'node',
              '-e',
              `fetch('http://127.0.0.1:${manifest.port}${manifest.health.live}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
            ],
            interval: Duration.seconds(10),
            timeout: Duration.seconds(5),
            retries: 3,
            startPeriod: Duration.seconds(15),
          },
      stopTimeout,
      readonlyRootFilesystem: true,
      user: '1000',
      logging: ecs.LogDrivers.awsLogs({
        logGroup: props.logGroup,
        streamPrefix: props.command ? 'one-off' : 'service',
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    return container;
  }

  /**
   * The edge behind the load balancer: a listener rule and two target groups, between
   * which ECS shifts traffic during a canary deployment (the old revision in one, the new
   * in the other).
   */
  private addToLoadBalancer(
    manifest: ServiceManifest,
    platform: PlatformStack,
  ): elbv2.ApplicationTargetGroup {
    const targetGroup = (id: string) =>
      new elbv2.ApplicationTargetGroup(this, id, {
        vpc: platform.vpc,
        port: manifest.port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
        healthCheck: {
          path: manifest.health.ready,
          healthyHttpCodes: '200',
          interval: Duration.seconds(10),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
        // SHUTDOWN_DRAIN_DELAY_MS keeps a stopping task serving for this long.
        deregistrationDelay: Duration.seconds(10),
      });
    const blue = targetGroup('Blue');
    const green = targetGroup('Green');
    const rule = new elbv2.ApplicationListenerRule(this, 'ListenerRule', {
      listener: platform.edge.listener,
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.weightedForward([
        { targetGroup: blue, weight: 100 },
        { targetGroup: green, weight: 0 },
      ]),
    });
    this.service
      .loadBalancerTarget({
        containerName: names.container(manifest.name),
        containerPort: manifest.port,
        alternateTarget: new ecs.AlternateTarget('Canary', {
          alternateTargetGroup: green,
          productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rule),
        }),
      })
      .attachToApplicationTargetGroup(blue);
    return blue;
  }

  /**
   * CPU and memory target tracking for every service; a consumer also scales on its
   * queue's backlog per task (messages waiting ÷ running tasks), which CPU does not see
   * while a handler waits on I/O.
   */
  private addScaling(env: EnvironmentConfig, manifest: ServiceManifest, platform: PlatformStack) {
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: env.tasks.minCount,
      maxCapacity: env.tasks.maxCount,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: 75 });

    const queue = platform.messaging.queues.get(manifest.name);
    if (!queue) return;
    const scalableTarget = scaling.node.findChild('Target') as appscaling.ScalableTarget;
    new appscaling.CfnScalingPolicy(this, 'BacklogPerTask', {
      policyName: `${names.cluster(env)}-${manifest.name}-backlog-per-task`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: scalableTarget.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        // A task handles ~100 messages within the time a message may wait.
        targetValue: 100,
        scaleInCooldown: 120,
        scaleOutCooldown: 30,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'visible',
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'AWS/SQS',
                  metricName: 'ApproximateNumberOfMessagesVisible',
                  dimensions: [{ name: 'QueueName', value: queue.queueName }],
                },
                stat: 'Average',
              },
            },
            {
              id: 'tasks',
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'ECS/ContainerInsights',
                  metricName: 'RunningTaskCount',
                  dimensions: [
                    { name: 'ClusterName', value: names.cluster(env) },
                    { name: 'ServiceName', value: names.ecsService(manifest.name) },
                  ],
                },
                stat: 'Average',
              },
            },
            {
              id: 'backlogPerTask',
              label: 'messages waiting per running task',
              expression: 'visible / IF(tasks > 0, tasks, 1)',
              returnData: true,
            },
          ],
        },
      },
    });
  }

  /**
   * The one-off tasks of a PostgreSQL service, run by the pipeline before the service is
   * updated, both on the new image (it has its own parameter, which the pipeline sets
   * first): `database` makes the service's login role and database in Aurora and keeps its
   * DATABASE_URL as an SSM SecureString (idempotent), `migrate` brings the schema up to date.
   */
  private addDatabaseTasks(
    env: EnvironmentConfig,
    manifest: ServiceManifest,
    settings: ServiceSettings,
    platform: PlatformStack,
    repository: ecr.IRepository,
    logGroup: logs.ILogGroup,
  ): void {
    const migrationTag = new CfnParameter(this, names.migrationImageParameter, {
      type: 'String',
      description: `Tag of storekeeper/${manifest.name} whose migrations the migrate task runs`,
      allowedPattern: '^[A-Za-z0-9_.-]{1,128}$',
    });
    const family = `${names.cluster(env)}-${manifest.name}`;
    const oneOff = (id: string, suffix: string) =>
      new ecs.FargateTaskDefinition(this, id, {
        family: `${family}-${suffix}`,
        cpu: 256,
        memoryLimitMiB: 512,
        runtimePlatform: linuxX86,
      });

    const migrate = oneOff('MigrateTask', 'migrate');
    // The manifest's migrate command, as the image runs it.
    const migrateCommand = manifest.run.migrate?.start ?? ['node', 'dist/migrate.js'];
    const store = manifest.stores.postgres;
    if (!store) return;
    const databaseUrl = settings.secrets[store.setting];
    if (!databaseUrl) throw new Error(`${manifest.name}: ${store.setting} is not from SSM`);
    this.addServiceContainer(migrate, {
      image: ecs.ContainerImage.fromEcrRepository(repository, migrationTag.valueAsString),
      manifest,
      settings: {
        environment: { LOG_LEVEL: 'info', NODE_ENV: 'production' },
        secrets: { [store.setting]: databaseUrl },
      },
      logGroup,
      command: migrateCommand,
    });

    // `migrate --create-database`: the service's role, its database and its DATABASE_URL
    // SecureString, as the cluster's admin (whose secret only this task reads).
    const setup = oneOff('DatabaseTask', 'database');
    const secret = platform.database.cluster.secret;
    if (!secret) throw new Error('the database cluster has no generated secret');
    const container = this.addServiceContainer(setup, {
      image: ecs.ContainerImage.fromEcrRepository(repository, migrationTag.valueAsString),
      manifest,
      settings: {
        environment: {
          LOG_LEVEL: 'info',
          NODE_ENV: 'production',
          AWS_REGION: Aws.REGION,
          DATABASE_ROLE: store.role,
          DATABASE_NAME: store.database,
          DATABASE_URL_PARAMETER: databaseUrl,
          // Encrypted; Aurora's CA is not in Node's trust store.
          PGSSLMODE: 'no-verify',
        },
        secrets: {},
      },
      logGroup,
      command: [...migrateCommand, '--create-database'],
    });
    for (const [variable, field] of Object.entries({
      PGHOST: 'host',
      PGPORT: 'port',
      PGUSER: 'username',
      PGPASSWORD: 'password',
    })) {
      container.addSecret(variable, ecs.Secret.fromSecretsManager(secret, field));
    }
    const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(this, 'DatabaseUrl', {
      parameterName: databaseUrl,
    });
    parameter.grantRead(setup.taskRole);
    parameter.grantWrite(setup.taskRole);

    acknowledgeTaskFindings(migrate);
    acknowledgeTaskFindings(setup);
    new CfnOutput(this, 'MigrateTaskFamily', { value: migrate.family });
    new CfnOutput(this, 'DatabaseTaskFamily', { value: setup.family });
  }
}

/** What cdk-nag reports on every task definition here, and why it is accepted. */
function acknowledgeTaskFindings(taskDefinition: ecs.TaskDefinition): void {
  const findings = {
    'AwsSolutions-ECS2':
      'Environment variables hold non-secret settings only; every secret setting comes from SSM (asserted by the infra tests)',
    'AwsSolutions-IAM5[Resource::*]':
      'ecr:GetAuthorizationToken (execution role) and the X-Ray actions (task role) take no resource',
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]':
      "CDK's grant for publishing to (or consuming from) the KMS-encrypted topic or queue, on that one key",
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]':
      'Email sends from any SES identity verified in this account and region (EMAIL_FROM decides which)',
  };
  for (const [id, reason] of Object.entries(findings)) {
    Validations.of(taskDefinition).acknowledge({ id, reason });
  }
}
