import { resolveTopology } from '@storekeeper/contracts';
import { readServiceManifests } from '@storekeeper/contracts/manifest';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tracingSidecarImages, tracingSidecarName } from '../src/constructs/tracing-sidecar.ts';
import { environments } from '../src/environments.ts';
import { names } from '../src/names.ts';
import { edgeService } from '../src/storekeeper-app.ts';
import { synthesize } from './synthesize.ts';

const manifests = readServiceManifests().map((entry) => entry.manifest);

type Resource = { Type: string; Properties: Record<string, unknown> };
type ContainerDefinition = {
  Name: string;
  Image: unknown;
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  DependsOn?: { ContainerName: string; Condition: string }[];
};
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let synthesized: ReturnType<typeof synthesize>;
beforeAll(() => {
  // Synthesis runs cdk-nag (AwsSolutions): an unacknowledged finding throws here.
  synthesized = synthesize();
});

function resources(stackName: string, type: string): [string, Resource][] {
  const all = synthesized.template(stackName).toJSON().Resources as Record<string, Resource>;
  return Object.entries(all).filter(([, resource]) => resource.Type === type);
}

/** The long-running service's task definition (not a one-off task's). */
function serviceTask(stackName: string, service: string) {
  const [, task] =
    resources(stackName, 'AWS::ECS::TaskDefinition').find(
      ([, r]) => r.Properties.Family === `${stackName}`,
    ) ?? [];
  if (!task) throw new Error(`${stackName}: no task definition of family ${stackName}`);
  const containers = task.Properties.ContainerDefinitions as ContainerDefinition[];
  const main = containers.find((c) => c.Name === names.container(service));
  if (!main) throw new Error(`${stackName}: no container ${service}`);
  return { task, containers, main };
}

function taskRoleStatements(stackName: string): Statement[] {
  return resources(stackName, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith('TaskTaskRole'))
    .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe.each(environments.map((env) => [env.name, env] as const))('environment %s', (_, env) => {
  const platformStack = names.platformStack(env);

  it('runs every service of the workspace as an ECS service, the five of the store among them', () => {
    expect(manifests.map((m) => m.name)).toEqual(
      expect.arrayContaining(['billing', 'email', 'gateway', 'order', 'user']),
    );
    for (const manifest of manifests) {
      const stack = names.serviceStack(env, manifest.name);
      synthesized.template(stack).resourceCountIs('AWS::ECS::Service', 1);
      synthesized.template(stack).hasResourceProperties('AWS::ECS::Service', {
        ServiceName: manifest.name,
        LaunchType: 'FARGATE',
      });
    }
  });

  it.each(manifests.map((m) => [m.name, m] as const))(
    '%s: the tracing sidecar, secrets from SSM, and every required setting',
    (name, manifest) => {
      const stack = names.serviceStack(env, name);
      const { containers, main } = serviceTask(stack, name);

      const sidecar = containers.find((c) => c.Name === tracingSidecarName);
      expect(sidecar?.Image).toBe(tracingSidecarImages[env.tracing]);
      expect(main.DependsOn).toContainEqual({
        ContainerName: tracingSidecarName,
        Condition: 'START',
      });
      const environment = new Map((main.Environment ?? []).map((e) => [e.Name, e.Value]));
      const secrets = new Map((main.Secrets ?? []).map((s) => [s.Name, s.ValueFrom]));
      if (manifest.settings.some((s) => s.name === 'AWS_XRAY_DAEMON_ADDRESS')) {
        expect(environment.get('AWS_XRAY_DAEMON_ADDRESS')).toBe('127.0.0.1:2000');
      }

      for (const setting of manifest.settings) {
        if (setting.secret) {
          expect(environment.has(setting.name), `${setting.name} in plain text`).toBe(false);
          expect(JSON.stringify(secrets.get(setting.name)), setting.name).toContain(
            `:parameter/storekeeper/${env.name}/${name}/${setting.name}`,
          );
        }
        if (setting.required) {
          expect(
            environment.has(setting.name) || secrets.has(setting.name),
            `${name} requires ${setting.name}`,
          ).toBe(true);
        }
      }
      const template = JSON.stringify(synthesized.template(stack).toJSON());
      expect(template).not.toMatch(/BEGIN (EC )?PRIVATE KEY|postgres(ql)?:\/\/[^"]*:[^"]*@/);
    },
  );

  it.each(manifests.map((m) => [m.name, m] as const))(
    '%s: its task role publishes only to its own topic and consumes only its own queue',
    (name, manifest) => {
      const statements = taskRoleStatements(names.serviceStack(env, name));
      for (const statement of statements) {
        const scoped = actionsOf(statement).filter((a) => /^(sns|sqs|ssm|dynamodb):/.test(a));
        if (scoped.length > 0) {
          expect(resourcesOf(statement), scoped.join()).not.toContain('*');
        }
      }
      const targetsOf = (prefix: string) =>
        statements
          .filter((s) => actionsOf(s).some((a) => a.startsWith(prefix)))
          .flatMap(resourcesOf)
          .map((r) => JSON.stringify(r));
      const published = targetsOf('sns:');
      const consumed = targetsOf('sqs:');
      if (manifest.publishes.length > 0) {
        expect(published.length).toBeGreaterThan(0);
        for (const target of published) expect(target).toContain(`MessagingTopic${name}`);
      } else {
        expect(published).toEqual([]);
      }
      if (manifest.consumes.length > 0) {
        expect(consumed.length).toBeGreaterThan(0);
        for (const target of consumed)
          expect(target).toMatch(new RegExp(`MessagingQueue${name}[0-9A-F]`));
      } else {
        expect(consumed).toEqual([]);
      }
      const tables = targetsOf('dynamodb:');
      expect(tables.length > 0).toBe(manifest.stores.dynamodb.length > 0);
    },
  );

  it('gives every queue a dead-letter queue with the topology’s redrive count, encrypted and TLS-only', () => {
    const topology = resolveTopology({ prefix: `${env.name}-` });
    const template = synthesized.template(platformStack);
    const queues = resources(platformStack, 'AWS::SQS::Queue');
    for (const declared of topology.queues) {
      const [dlqId] =
        queues.find(([, q]) => q.Properties.QueueName === declared.deadLetterQueueName) ?? [];
      expect(dlqId, declared.deadLetterQueueName).toBeDefined();
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: declared.name,
        KmsMasterKeyId: Match.anyValue(),
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: declared.settings.maxReceiveCount,
        },
        VisibilityTimeout: declared.settings.visibilityTimeoutSeconds,
      });
    }
    for (const [id] of queues) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
    for (const topic of topology.topics) {
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: topic.name,
        KmsMasterKeyId: Match.anyValue(),
      });
    }
    for (const subscription of topology.subscriptions) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        RawMessageDelivery: true,
        FilterPolicy: { type: [...subscription.filterPolicy.type] },
      });
    }
    template.resourceCountIs('AWS::SNS::Subscription', topology.subscriptions.length);
  });

  it('creates every declared table with its keys, indexes and item expiry', () => {
    const declared = manifests.flatMap((m) => m.stores.dynamodb);
    expect(declared.some((table) => table.timeToLiveAttribute)).toBe(true);
    const template = synthesized.template(platformStack);
    for (const table of declared) {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: names.table(env, table.tableName),
        KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
        GlobalSecondaryIndexes:
          table.globalSecondaryIndexes.length > 0
            ? table.globalSecondaryIndexes.map((index) =>
                Match.objectLike({ IndexName: index.indexName }),
              )
            : Match.absent(),
        TimeToLiveSpecification: table.timeToLiveAttribute
          ? { AttributeName: table.timeToLiveAttribute, Enabled: true }
          : Match.absent(),
      });
    }
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', declared.length);
  });

  it.each(manifests.map((m) => [m.name] as const))(
    '%s: deploys as a canary that its alarms roll back',
    (name) => {
      const stack = names.serviceStack(env, name);
      const [[, service] = []] = resources(stack, 'AWS::ECS::Service');
      const deployment = service?.Properties.DeploymentConfiguration as {
        Strategy: string;
        CanaryConfiguration: { CanaryPercent: number };
        Alarms: { AlarmNames: string[]; Enable: boolean; Rollback: boolean };
      };
      expect(deployment.Strategy).toBe('CANARY');
      // Scaling owns the count: a deployment must not reset a scaled-out service.
      expect(service?.Properties.DesiredCount).toBeUndefined();
      expect(deployment.CanaryConfiguration.CanaryPercent).toBe(env.deployment.canaryPercent);
      expect(deployment.Alarms.Enable && deployment.Alarms.Rollback).toBe(true);
      const alarmNames = resources(stack, 'AWS::CloudWatch::Alarm').map(
        ([, a]) => a.Properties.AlarmName,
      );
      expect(deployment.Alarms.AlarmNames.length).toBeGreaterThanOrEqual(2);
      for (const alarm of deployment.Alarms.AlarmNames) expect(alarmNames).toContain(alarm);
      expect(deployment.Alarms.AlarmNames.some((a) => a.endsWith('-5xx-rate'))).toBe(true);
      expect(deployment.Alarms.AlarmNames.some((a) => a.endsWith('-p99-latency'))).toBe(true);
    },
  );

  it.each(manifests.map((m) => [m.name, m] as const))(
    '%s: alarms on its dead letters, queue age and outbox backlog where it has them',
    (name, manifest) => {
      const stack = names.serviceStack(env, name);
      const alarmNames = resources(stack, 'AWS::CloudWatch::Alarm').map(
        ([, a]) => a.Properties.AlarmName as string,
      );
      const consumes = manifest.consumes.length > 0;
      const hasOutbox = manifest.publishes.length > 0 && manifest.stores.postgres !== undefined;
      expect(alarmNames.some((a) => a.endsWith('-dlq-not-empty'))).toBe(consumes);
      expect(alarmNames.some((a) => a.endsWith('-oldest-message-age'))).toBe(consumes);
      expect(alarmNames.some((a) => a.endsWith('-outbox-backlog'))).toBe(hasOutbox);
      if (hasOutbox) {
        synthesized.template(stack).hasResourceProperties('AWS::Logs::MetricFilter', {
          FilterPattern: '{ $.outboxOldestAgeSeconds >= 0 }',
          MetricTransformations: [
            Match.objectLike({
              MetricValue: '$.outboxOldestAgeSeconds',
              MetricName: 'OutboxOldestAgeSeconds',
            }),
          ],
        });
      }
    },
  );

  it('puts the edge behind the load balancer, trusting exactly one proxy hop', () => {
    const stack = names.serviceStack(env, edgeService);
    const { main } = serviceTask(stack, edgeService);
    expect(main.Environment).toContainEqual({ Name: 'TRUSTED_PROXY_HOPS', Value: '1' });
    synthesized.template(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    synthesized
      .template(platformStack)
      .hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
      });
  });
});

describe('one definition, read from the manifests', () => {
  it('refuses a required setting the infrastructure does not provide, naming it', () => {
    const user = manifests.find((m) => m.name === 'user');
    if (!user) throw new Error('no user service');
    const withNewSetting = {
      ...user,
      settings: [
        ...user.settings,
        { name: 'FRAUD_CHECK_URL', required: true, secret: false, description: 'new' },
      ],
    };
    const services = manifests.map((m) => (m.name === 'user' ? withNewSetting : m));
    expect(() => synthesize({ services })).toThrow(/user requires FRAUD_CHECK_URL/);
  });

  it('serves HTTPS, and redirects HTTP, when an environment has a certificate', () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:111111111111:certificate/abc';
    const { template } = synthesize({
      context: { 'storekeeper:prod:certificateArn': certificateArn },
    });
    template('storekeeper-prod').hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificateArn }],
    });
    template('storekeeper-prod').hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
  });

  it('scopes the GitHub roles to the repository: main pushes, each environment deploys', () => {
    const { template } = synthesized;
    template(names.deliveryStack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: names.pushRole,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub':
                  'repo:storekeeper/storekeeper:ref:refs/heads/main',
              },
            },
          }),
        ],
      },
    });
    for (const env of environments) {
      template(names.platformStack(env)).hasResourceProperties('AWS::IAM::Role', {
        RoleName: names.deployRole(env),
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Condition: {
                StringEquals: Match.objectLike({
                  'token.actions.githubusercontent.com:sub': `repo:storekeeper/storekeeper:environment:${env.name}`,
                }),
              },
            }),
          ],
        },
      });
    }
    template(names.deliveryStack).resourceCountIs('AWS::ECR::Repository', manifests.length);
  });
});
