/**
 * Writes each service's OpenAPI document (services/<name>/openapi.json) from its route
 * schemas: the app is built, never started, and asked for its description. `pnpm
 * docs:openapi` writes them; CI runs it and fails on a diff, so the committed contract
 * is always the one the code serves.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TObject } from 'typebox';

const root = fileURLToPath(new URL('..', import.meta.url));
const services = ['gateway', 'user', 'order', 'billing', 'email'] as const;

async function importService(name: string, file: string) {
  return import(`../services/${name}/src/${file}`);
}

const signingKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;

/** Placeholder values for required settings: nothing is connected to. */
const env = {
  DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi',
  JWT_PRIVATE_KEY: signingKey,
  // The dev routes are part of the documented API outside production.
  NODE_ENV: 'development',
  LOG_LEVEL: 'silent',
};

for (const name of services) {
  const platform = await import('../shared/platform/src/index.ts');
  const { configSchema } = (await importService(name, 'config.ts')) as { configSchema: TObject };
  const { config } = await platform.loadConfig(configSchema, { env });
  const logger = platform.createLogger({ service: name, level: 'silent' });
  const lifecycle = platform.createLifecycle();
  const deps = await depsFor(name, config, logger, platform);
  const { buildApp } = await importService(name, 'app.ts');
  const app = await buildApp({ config, logger, lifecycle, ...deps });
  await app.ready();
  const document = app.swagger();
  await app.close();
  await deps.close?.();
  await writeFile(`${root}services/${name}/openapi.json`, `${JSON.stringify(document, null, 2)}\n`);
}

// biome-ignore lint/suspicious/noExplicitAny: each service's deps differ; this script only wires them.
async function depsFor(
  name: string,
  config: any,
  logger: any,
  platform: any,
): Promise<Record<string, any>> {
  switch (name) {
    case 'gateway': {
      const { createUpstreams, closeUpstreams } = await importService(
        name,
        'adapters/upstreams.ts',
      );
      const upstreams = createUpstreams(config, logger);
      const tokens = platform.createTokenVerifier({
        jwksUrl: config.JWKS_URL,
        issuer: 'x',
        audience: 'x',
      });
      return { upstreams, tokens, close: () => closeUpstreams(upstreams) };
    }
    case 'user': {
      const { createTokenIssuer } = await importService(name, 'adapters/token-issuer.ts');
      const { createOutbox } = await import('../shared/messaging/src/index.ts');
      const pool = platform.createPostgresPool({
        connectionString: config.DATABASE_URL,
        applicationName: 'openapi',
        logger,
      });
      const tokenIssuer = await createTokenIssuer({
        privateKeyPem: signingKey,
        issuer: 'x',
        audience: 'x',
        ttlSeconds: 60,
      });
      return { pool, tokenIssuer, outbox: createOutbox(), close: () => pool.end() };
    }
    case 'billing': {
      const pool = platform.createPostgresPool({
        connectionString: config.DATABASE_URL,
        applicationName: 'openapi',
        logger,
      });
      const tokens = platform.createTokenVerifier({
        jwksUrl: config.JWKS_URL,
        issuer: 'x',
        audience: 'x',
      });
      return { pool, tokens, close: () => pool.end() };
    }
    case 'order': {
      const pool = platform.createPostgresPool({
        connectionString: config.DATABASE_URL,
        applicationName: 'openapi',
        logger,
      });
      return { pool, close: () => pool.end() };
    }
    case 'email': {
      // Resolved from the email service, which depends on it; the root does not.
      const sdk = createRequire(`${root}services/email/package.json`).resolve(
        '@aws-sdk/client-dynamodb',
      );
      const { DynamoDBClient } = await import(pathToFileURL(sdk).href);
      const dynamo = new DynamoDBClient({ region: 'us-east-1' });
      return { dynamo, close: () => dynamo.destroy() };
    }
    default:
      throw new Error(`no OpenAPI wiring for ${name}`);
  }
}
