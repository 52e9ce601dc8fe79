import type { ServiceManifest } from '@storekeeper/contracts/manifest';
import {
  Aws,
  CfnOutput,
  aws_dynamodb as dynamodb,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_iam as iam,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_servicediscovery as servicediscovery,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Database } from '../constructs/database.ts';
import { Edge } from '../constructs/edge.ts';
import { Messaging } from '../constructs/messaging.ts';
import { Network } from '../constructs/network.ts';
import { OperationsDashboard } from '../constructs/operations-dashboard.ts';
import type { EnvironmentConfig } from '../environments.ts';
import { githubPrincipal } from '../github.ts';
import { names } from '../names.ts';

export interface PlatformStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly services: readonly ServiceManifest[];
  /** The service behind the load balancer. */
  readonly edgeService: string;
  readonly githubRepository: string;
  readonly certificateArn?: string | undefined;
  /** Where alarms are mailed, besides the topic (optional). */
  readonly alarmEmail?: string | undefined;
}

/**
 * What one environment's services share and what outlives a deployment: network,
 * database cluster, tables, topics and queues, the ECS cluster with its Service Connect
 * namespace, the load balancer, a security group per service, and the role its GitHub
 * environment deploys with. Each service's own resources are in its own stack
 * (ServiceStack), so one service deploys without touching another.
 */
export class PlatformStack extends Stack {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.Vpc;
  readonly database: Database;
  readonly messaging: Messaging;
  readonly tables = new Map<string, dynamodb.TableV2>();
  readonly cluster: ecs.Cluster;
  readonly edge: Edge;
  readonly securityGroups = new Map<string, ec2.SecurityGroup>();
  readonly deployRole: iam.Role;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const env = props.config;
    this.config = env;

    this.vpc = new Network(this, 'Network', env).vpc;
    this.database = new Database(this, 'Database', { env, vpc: this.vpc });
    this.messaging = new Messaging(this, 'Messaging', env);

    for (const service of props.services) {
      for (const table of service.stores.dynamodb) {
        const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
        this.tables.set(
          table.tableName,
          new dynamodb.TableV2(this, `Table-${table.tableName}`, {
            tableName: names.table(env, table.tableName),
            partitionKey: key(table.partitionKey),
            globalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
              indexName: index.indexName,
              partitionKey: key(index.partitionKey),
              sortKey: key(index.sortKey),
            })),
            ...(table.timeToLiveAttribute
              ? { timeToLiveAttribute: table.timeToLiveAttribute }
              : {}),
            billing: dynamodb.Billing.onDemand(),
            pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
            deletionProtection: env.retainData,
            removalPolicy: env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
          }),
        );
      }
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: names.cluster(env),
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      enableFargateCapacityProviders: true,
      defaultCloudMapNamespace: {
        name: names.namespace(env),
        type: servicediscovery.NamespaceType.HTTP,
        useForServiceConnect: true,
      },
    });

    this.edge = new Edge(this, 'Edge', {
      env,
      vpc: this.vpc,
      certificateArn: props.certificateArn,
    });

    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      topicName: `${names.cluster(env)}-alarms`,
      masterKey: this.messaging.key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    new OperationsDashboard(this, 'Operations', {
      env,
      services: props.services,
      queues: new Map(
        this.messaging.topology.queues.map((q) => [
          q.consumer,
          { queue: q.name, deadLetterQueue: q.deadLetterQueueName },
        ]),
      ),
    });

    this.addSecurityGroups(props.services, props.edgeService);
    this.deployRole = this.addDeployRole(props.githubRepository);

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'LoadBalancerDns', {
      value: this.edge.loadBalancer.loadBalancerDnsName,
      description: 'Point the public DNS name here (a CNAME or an alias record)',
    });
    new CfnOutput(this, 'DeployRoleArn', {
      value: this.deployRole.roleArn,
      description: `AWS_DEPLOY_ROLE_ARN of the GitHub environment ${env.name}`,
    });
    new CfnOutput(this, 'DatabaseSecretArn', {
      value: this.database.cluster.secret?.secretArn ?? '',
      description:
        'Aurora master credentials, for the one-time set-up of the service roles (docs/deploy.md)',
    });
  }

  /**
   * A security group per service, opened only where the topology needs it: a service
   * takes traffic on its port from the services that call it (and from the load
   * balancer, for the edge), and the database takes it from the PostgreSQL services.
   */
  private addSecurityGroups(services: readonly ServiceManifest[], edgeService: string): void {
    for (const service of services) {
      this.securityGroups.set(
        service.name,
        new ec2.SecurityGroup(this, `SecurityGroup-${service.name}`, {
          vpc: this.vpc,
          description: `storekeeper ${this.config.name} ${service.name} tasks`,
          allowAllOutbound: true,
        }),
      );
    }
    const groupOf = (name: string) => {
      const group = this.securityGroups.get(name);
      if (!group) throw new Error(`no service "${name}"`);
      return group;
    };
    for (const service of services) {
      const group = groupOf(service.name);
      const port = ec2.Port.tcp(service.port);
      for (const callee of service.calls) {
        const target = services.find((s) => s.name === callee);
        if (!target) throw new Error(`${service.name} calls "${callee}", which is not a service`);
        groupOf(callee).addIngressRule(group, ec2.Port.tcp(target.port), `from ${service.name}`);
      }
      if (service.name === edgeService) {
        this.edge.loadBalancer.connections.allowTo(group, port, 'load balancer to the edge');
      }
      if (service.stores.postgres) {
        this.database.securityGroup.addIngressRule(
          group,
          ec2.Port.tcp(this.database.cluster.clusterEndpoint.port),
          `from ${service.name}`,
        );
      }
    }
  }

  /**
   * The role this environment's GitHub jobs deploy with: a service pipeline updates the
   * environment's service stacks (through the CDK bootstrap's CloudFormation execution
   * role, as `cdk deploy` does) and runs the one-off tasks; the infra pipeline runs `cdk
   * deploy` through the bootstrap's roles.
   */
  private addDeployRole(repository: string): iam.Role {
    const env = this.config;
    const role = new iam.Role(this, 'DeployRole', {
      roleName: names.deployRole(env),
      assumedBy: githubPrincipal(repository, `environment:${env.name}`),
      description: `GitHub Actions deployments to ${env.name}`,
    });
    const stackArn = `arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}:stack/${names.platformStack(env)}-*/*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
          'cloudformation:UpdateStack',
        ],
        resources: [stackArn],
      }),
    );
    // The cluster's name is this stack's output.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStacks'],
        resources: [this.stackId],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-hnb659fds-cfn-exec-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
        ],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [
          `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task-definition/${names.cluster(env)}-*`,
        ],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks', 'ecs:DescribeServices'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${names.platformStack(env)}-*`,
        ],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    // infra.yml's `cdk deploy` of this environment, through the CDK bootstrap's roles.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-hnb659fds-*-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
        ],
      }),
    );
    const findings = {
      'Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-hnb659fds-*-role-<AWS::AccountId>-<AWS::Region>':
        "The CDK bootstrap's deploy, publishing and lookup roles of this account and region, for `cdk deploy`",
      [`Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${names.platformStack(env)}-*/*`]:
        "Updates only this environment's service stacks, whose names the app gives",
      [`Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/${names.cluster(env)}-*`]:
        "Runs only this environment's task definitions (the one-off tasks), in its cluster",
      [`Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${names.platformStack(env)}-*`]:
        "Passes only this environment's task roles, and only to ECS tasks",
      'Resource::*':
        'ecs:DescribeTasks and ecs:DescribeServices, limited to this cluster by condition',
    };
    for (const [finding, reason] of Object.entries(findings)) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
    return role;
  }
}
