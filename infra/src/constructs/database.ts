import {
  aws_ec2 as ec2,
  aws_logs as logs,
  RemovalPolicy,
  aws_rds as rds,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../environments.ts';

/**
 * Aurora PostgreSQL Serverless v2, one cluster for the environment. Each PostgreSQL
 * service gets its own database and login role in it (database per service: no service
 * can read another's tables), made once per environment (docs/deploy.md); the master
 * credentials are generated into Secrets Manager and never leave it.
 */
export class Database extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: { env: EnvironmentConfig; vpc: ec2.IVpc }) {
    super(scope, id);
    const { env, vpc } = props;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Aurora PostgreSQL: reachable only from the tasks of PostgreSQL services',
      allowAllOutbound: false,
    });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({
        version: rds.AuroraPostgresEngineVersion.VER_17_9,
      }),
      credentials: rds.Credentials.fromGeneratedSecret('storekeeper_admin'),
      writer: rds.ClusterInstance.serverlessV2('writer', {
        publiclyAccessible: false,
        enablePerformanceInsights: true,
      }),
      readers: env.database.reader
        ? [
            rds.ClusterInstance.serverlessV2('reader', {
              scaleWithWriter: true,
              enablePerformanceInsights: true,
            }),
          ]
        : [],
      serverlessV2MinCapacity: env.database.minCapacity,
      serverlessV2MaxCapacity: env.database.maxCapacity,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      storageEncrypted: true,
      iamAuthentication: true,
      deletionProtection: env.retainData,
      removalPolicy: env.retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      backup: { retention: env.database.backupRetention },
      clusterIdentifier: `storekeeper-${env.name}`,
      cloudwatchLogsExports: ['postgresql'],
      enablePerformanceInsights: true,
    });
    // The log group Aurora writes to, made here with its retention (cloudwatchLogsRetention
    // would deploy a Lambda function to set it).
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/rds/cluster/storekeeper-${env.name}/postgresql`,
      retention: env.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.cluster.node.addDependency(logGroup);

    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The master credentials are used only for the one-time set-up of each service role (docs/deploy.md); rotating them is an operator step',
    });
    if (!env.retainData) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: `${env.name} is disposable: it is torn down whole (docs/deploy.md)`,
      });
    }
  }
}
