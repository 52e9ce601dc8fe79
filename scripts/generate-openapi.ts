/**
 * Writes each service's OpenAPI document (services/<name>/openapi.json) from its route
 * schemas: the service is assembled from its definition, never started (nothing is
 * connected to: pools and clients connect on first use), and asked for its description.
 * `pnpm docs:openapi` writes them; CI runs it and fails on a diff, so the committed
 * contract is always the one the code serves.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TObject } from 'typebox';
import {
  createAwsClients,
  createLifecycle,
  createLogger,
  loadConfig,
  type ServiceContext,
} from '../shared/platform/src/index.ts';
import { loadServiceDefinitions } from './lib/service-definitions.ts';

/** Placeholder values for required settings, by name or by what the name ends with. */
function placeholderFor(name: string): string {
  if (name === 'JWT_PRIVATE_KEY') {
    return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
  }
  if (name === 'DATABASE_URL') return 'postgres://openapi@127.0.0.1:1/openapi';
  if (name.endsWith('_URL')) return 'http://127.0.0.1:1';
  throw new Error(`no OpenAPI placeholder for the required setting ${name}`);
}

function placeholders(schema: TObject): Record<string, string> {
  const env: Record<string, string> = {
    // The dev routes are part of the documented API outside production.
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
  };
  for (const name of schema.required ?? []) {
    const property = schema.properties[name] as { default?: unknown };
    if (property.default === undefined) env[name] = placeholderFor(name);
  }
  return env;
}

for (const { definition, dir } of await loadServiceDefinitions()) {
  const { config } = await loadConfig(definition.configSchema, {
    env: placeholders(definition.configSchema),
  });
  const closers: (() => Promise<void> | void)[] = [];
  const aws = createAwsClients('us-east-1');
  const context: ServiceContext<typeof config> = {
    config,
    logger: createLogger({ service: definition.name, level: 'silent' }),
    lifecycle: createLifecycle(),
    aws,
    closeOnShutdown: (_name, close) => closers.push(close),
  };
  const deps = await definition.createDeps(context);
  const app = await definition.buildApp(deps, { ...context, readiness: [] });
  await app.ready();
  const document = app.swagger();
  await app.close();
  for (const close of closers.reverse()) await close();
  aws.destroy();
  await writeFile(join(dir, 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
}
