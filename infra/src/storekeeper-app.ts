import { readServiceManifests, type ServiceManifest } from '@storekeeper/contracts/manifest';
import { type App, Aws, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { environments } from './environments.ts';
import { checkRepository } from './github.ts';
import { names } from './names.ts';
import { serviceSettings } from './service-settings.ts';
import { DeliveryStack } from './stacks/delivery-stack.ts';
import { PlatformStack } from './stacks/platform-stack.ts';
import { ServiceStack } from './stacks/service-stack.ts';

/** The service behind the load balancer; every other service is reached through it. */
export const edgeService = 'gateway';

export interface StorekeeperApp {
  readonly delivery: DeliveryStack;
  readonly environments: ReadonlyMap<
    string,
    { readonly platform: PlatformStack; readonly services: ReadonlyMap<string, ServiceStack> }
  >;
}

/**
 * The whole app: the delivery stack, and for each environment its platform stack and a
 * stack per service, every service read from its manifest (`services/<name>/service.json`).
 * Environment-agnostic (no account, no region, no lookups): it synthesizes with no AWS
 * credentials, and deploys to whichever account the credentials name.
 */
export function buildStorekeeperApp(
  app: App,
  services: readonly ServiceManifest[] = readServiceManifests().map((entry) => entry.manifest),
): StorekeeperApp {
  const githubRepository = checkRepository(contextString(app, 'storekeeper:githubRepository'));
  Tags.of(app).add('project', 'storekeeper');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const delivery = new DeliveryStack(app, names.deliveryStack, {
    services,
    githubRepository,
    description: 'Storekeeper: ECR repositories and the GitHub OIDC push role',
  });

  const built = new Map<string, { platform: PlatformStack; services: Map<string, ServiceStack> }>();
  for (const env of environments) {
    const certificateArn = optionalContext(app, `storekeeper:${env.name}:certificateArn`);
    const domain = optionalContext(app, `storekeeper:${env.name}:domain`);
    const platform = new PlatformStack(app, names.platformStack(env), {
      config: env,
      services,
      edgeService,
      githubRepository,
      certificateArn,
      alarmEmail: optionalContext(app, `storekeeper:${env.name}:alarmEmail`),
      description: `Storekeeper ${env.name}: network, data, messaging, cluster, load balancer`,
    });
    Tags.of(platform).add('environment', env.name);

    const stacks = new Map<string, ServiceStack>();
    for (const service of services) {
      const stack = new ServiceStack(app, names.serviceStack(env, service.name), {
        config: env,
        service,
        platform,
        alarmTopic: platform.alarmTopic,
        edge: service.name === edgeService,
        settings: serviceSettings(service, {
          env,
          services,
          region: Aws.REGION,
          tableNames: Object.fromEntries(
            [...platform.tables.keys()].map((name) => [name, names.table(env, name)]),
          ),
          edge: { service: edgeService, trustedProxyHops: 1 },
          publicUrl: domain ? `https://${domain}` : undefined,
        }),
        description: `Storekeeper ${env.name}: the ${service.name} service`,
      });
      Tags.of(stack).add('environment', env.name);
      Tags.of(stack).add('service', service.name);
      stacks.set(service.name, stack);
    }
    built.set(env.name, { platform, services: stacks });
  }
  return { delivery, environments: built };
}

function contextString(app: App, key: string): string {
  const value = app.node.tryGetContext(key);
  if (typeof value !== 'string' || value === '') {
    throw new Error(`set the context value ${key} (cdk.json or -c ${key}=...)`);
  }
  return value;
}

function optionalContext(app: App, key: string): string | undefined {
  const value = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
