import type { ServiceManifest } from '@storekeeper/contracts/manifest';
import {
  Aws,
  CfnOutput,
  Duration,
  aws_ecr as ecr,
  aws_iam as iam,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { githubOidcHost, githubPrincipal } from '../github.ts';
import { names } from '../names.ts';

export interface DeliveryStackProps extends StackProps {
  readonly services: readonly ServiceManifest[];
  readonly githubRepository: string;
}

/**
 * What the pipelines need once per account: GitHub's OIDC provider, an ECR repository per
 * service (immutable tags, scanned on push, old untagged images expired), and the role
 * that pushes to them, which only a run on this repository's main branch can assume.
 */
export class DeliveryStack extends Stack {
  readonly repositories = new Map<string, ecr.Repository>();

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id, props);

    new iam.OpenIdConnectProvider(this, 'GitHubOidc', {
      url: `https://${githubOidcHost}`,
      clientIds: ['sts.amazonaws.com'],
    });

    const pushRole = new iam.Role(this, 'PushRole', {
      roleName: names.pushRole,
      assumedBy: githubPrincipal(props.githubRepository, 'ref:refs/heads/main'),
      description: 'GitHub Actions on main: push service images to ECR',
      maxSessionDuration: Duration.hours(1),
    });
    // GetAuthorizationToken takes no resource; every other action is per repository.
    pushRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    Validations.of(pushRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken takes no resource; pushing is granted per repository',
    });

    for (const service of props.services) {
      const repository = new ecr.Repository(this, `Repository-${service.name}`, {
        repositoryName: names.repository(service.name),
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageScanOnPush: true,
        encryption: ecr.RepositoryEncryption.AES_256,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          {
            description: 'untagged layers of old builds',
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(14),
          },
          {
            description: 'keep the last 100 builds',
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: 100,
          },
        ],
      });
      repository.grantPush(pushRole);
      this.repositories.set(service.name, repository);
    }

    // infra.yml's `cdk diff` on pull requests: read-only, through the bootstrap's lookup role.
    const diffRole = new iam.Role(this, 'DiffRole', {
      roleName: names.diffRole,
      assumedBy: githubPrincipal(props.githubRepository, 'pull_request'),
      description: 'GitHub Actions on pull requests: cdk diff (read only)',
      maxSessionDuration: Duration.hours(1),
    });
    diffRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-hnb659fds-lookup-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
        ],
      }),
    );
    new CfnOutput(this, 'DiffRoleArn', {
      value: diffRole.roleArn,
      description: 'AWS_INFRA_DIFF_ROLE_ARN, a repository variable (optional)',
    });

    new CfnOutput(this, 'PushRoleArn', {
      value: pushRole.roleArn,
      description: 'AWS_ECR_PUSH_ROLE_ARN, a repository variable',
    });
  }
}
