// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell, not templates
import { readdirSync, readFileSync } from 'node:fs';
import { readServiceManifests } from '@storekeeper/contracts/manifest';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environments } from '../src/environments.ts';
import { names } from '../src/names.ts';
import { synthesize } from './synthesize.ts';

/**
 * The pipelines deploy what the app defines: every stack, output, parameter, container,
 * repository and log group they name exists in the synthesized app, and every service
 * has its thin workflow with the right options. Renaming one side fails here.
 */
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const manifests = readServiceManifests().map((entry) => entry.manifest);
const script = read('deploy/aws/deploy-service.sh');

type Template = {
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};
let templateOf: (stackName: string) => Template;
let stackNames: string[];

beforeAll(() => {
  const { app, template } = synthesize();
  stackNames = app.node.children.map((child) => child.node.id);
  templateOf = (name) => template(name).toJSON() as Template;
});

/** `platform_stack="storekeeper-${ENVIRONMENT}"`, for one environment and service. */
function scriptStacks(environment: string, service: string): Record<string, string> {
  const stacks: Record<string, string> = {};
  for (const [, variable, pattern] of script.matchAll(/^(\w+_stack)="([^"]+)"$/gm)) {
    if (!variable || !pattern) continue;
    stacks[variable] = pattern
      .replaceAll('${ENVIRONMENT}', environment)
      .replaceAll('${SERVICE}', service);
  }
  return stacks;
}

describe('deploy/aws/deploy-service.sh', () => {
  it.each(environments.flatMap((env) => manifests.map((m) => [env.name, m.name] as const)))(
    '%s %s: names only stacks, outputs and parameters the app has',
    (environment, service) => {
      const manifest = manifests.find((m) => m.name === service);
      const stacks = scriptStacks(environment, service);
      expect(Object.keys(stacks).sort()).toEqual(['platform_stack', 'service_stack']);
      for (const stack of Object.values(stacks)) expect(stackNames).toContain(stack);

      const migrates = manifest?.stores.postgres !== undefined;
      for (const [, variable, key] of script.matchAll(/output "\$(\w+)" (\w+)/g)) {
        if (!variable || !key) continue;
        const stack = stacks[variable];
        if (!stack) throw new Error(`the script reads ${key} of an unknown $${variable}`);
        if (!migrates && key.endsWith('TaskFamily')) continue; // only with MIGRATE=true
        expect(Object.keys(templateOf(stack).Outputs ?? {}), `${stack} ${key}`).toContain(key);
      }
      for (const [, key] of script.matchAll(/"(\w+)=\$IMAGE_TAG"/g)) {
        if (!key) continue;
        if (!migrates && key === names.migrationImageParameter) continue;
        expect(Object.keys(templateOf(stacks.service_stack ?? '').Parameters ?? {})).toContain(key);
      }

      const tasks = Object.values(templateOf(stacks.service_stack ?? '').Resources).filter(
        (r) => r.Type === 'AWS::ECS::TaskDefinition',
      );
      for (const task of tasks) {
        const containers = task.Properties.ContainerDefinitions as {
          Name: string;
          LogConfiguration: { Options: Record<string, unknown> };
        }[];
        // The exit code and the log group the script reports are the service container's.
        const main = containers.find((c) => c.Name === service);
        expect(main, `${task.Properties.Family} has a container named ${service}`).toBeDefined();
        expect(main?.LogConfiguration.Options['awslogs-group']).toEqual(
          expect.objectContaining({ Ref: expect.any(String) }),
        );
      }
      expect(script).toContain("containers[?name=='${SERVICE}']");
      expect(names.container(service)).toBe(service);
      expect(script).toContain('/storekeeper/${ENVIRONMENT}/${SERVICE}');
    },
  );

  it('passes CloudFormation the execution role the deploy role may pass', () => {
    expect(script).toContain('role/cdk-hnb659fds-cfn-exec-role-${account}-${region}');
    const [dev] = environments;
    if (!dev) throw new Error('no environment');
    const platform = JSON.stringify(templateOf(names.platformStack(dev)));
    expect(platform).toContain(':role/cdk-hnb659fds-cfn-exec-role-');
  });
});

describe('the workflows', () => {
  const workflows = readdirSync(new URL('.github/workflows/', root)).filter(
    (file) => !file.startsWith('_') && !['ci.yml', 'infra.yml'].includes(file),
  );

  it('has one thin workflow per service, with migrations exactly for PostgreSQL services', () => {
    expect(workflows.map((file) => file.replace(/\.yml$/, '')).sort()).toEqual(
      manifests.map((m) => m.name).sort(),
    );
    for (const manifest of manifests) {
      const workflow = parse(read(`.github/workflows/${manifest.name}.yml`));
      const call = workflow.jobs.pipeline;
      expect(call.uses).toBe('./.github/workflows/_service.yml');
      expect(call.with.service).toBe(manifest.name);
      expect(call.with.migrate ?? false).toBe(manifest.stores.postgres !== undefined);
    }
  });

  it('pushes to the repositories the delivery stack creates', () => {
    const service = read('.github/workflows/_service.yml');
    expect(service).toContain('remote="$REGISTRY/storekeeper/$SERVICE:$GITHUB_SHA"');
    const repositories = Object.values(templateOf(names.deliveryStack).Resources)
      .filter((r) => r.Type === 'AWS::ECR::Repository')
      .map((r) => r.Properties.RepositoryName);
    expect(repositories.sort()).toEqual(manifests.map((m) => names.repository(m.name)).sort());
    for (const name of repositories) expect(name).toMatch(/^storekeeper\/[a-z][a-z0-9-]+$/);
  });

  it('deploys the infrastructure of each environment by the stack names the app gives', () => {
    const deploy = read('.github/workflows/_infra-deploy.yml');
    const patterns = [...deploy.matchAll(/"(storekeeper-\$\{ENVIRONMENT\}[^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(patterns).toEqual(['storekeeper-${ENVIRONMENT}', 'storekeeper-${ENVIRONMENT}-*']);
    for (const env of environments) {
      const platform = patterns[0]?.replace('${ENVIRONMENT}', env.name);
      expect(platform).toBe(names.platformStack(env));
      const prefix = patterns[1]?.replace('${ENVIRONMENT}', env.name).replace('*', '') ?? '';
      const matched = stackNames.filter((name) => name.startsWith(prefix));
      expect(matched.sort()).toEqual(manifests.map((m) => names.serviceStack(env, m.name)).sort());
    }
    const infra = parse(read('.github/workflows/infra.yml'));
    expect(environments.map((env) => infra.jobs[`deploy-${env.name}`].with.environment)).toEqual(
      environments.map((env) => env.name),
    );
  });

  it('deploys through the script, with the inputs it reads', () => {
    const deploy = parse(read('.github/workflows/_deploy.yml'));
    const steps: { run?: string; env?: Record<string, string> }[] = deploy.jobs.deploy.steps;
    const step = steps.find((s) => s.run === 'deploy/aws/deploy-service.sh');
    expect(Object.keys(step?.env ?? {}).sort()).toEqual([
      'ENVIRONMENT',
      'IMAGE_TAG',
      'MIGRATE',
      'SERVICE',
    ]);
    expect(environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    const service = parse(read('.github/workflows/_service.yml'));
    for (const env of environments) {
      expect(service.jobs[`deploy-${env.name}`].with.environment).toBe(env.name);
    }
  });
});
