import { randomBytes } from 'node:crypto';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { connectedAsSuperuser, ensureLoginRole, ensureOwnedDatabase } from '@storekeeper/contracts';
import type pg from 'pg';
import type { Logger } from 'pino';
import { importPg } from './postgres.ts';

export interface CreateServiceDatabaseOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** For tests; by default a client for the environment's region (and endpoint, if set). */
  readonly ssm?: SSMClient;
}

export interface ServiceDatabaseResult {
  readonly role: string;
  readonly database: string;
  readonly parameter: string;
  /** False when the parameter already held this database's URL (nothing changed). */
  readonly urlWritten: boolean;
}

/** The variables of `migrate --create-database`, set by the one-off task (infra/). */
const variables = {
  role: 'DATABASE_ROLE',
  database: 'DATABASE_NAME',
  parameter: 'DATABASE_URL_PARAMETER',
  host: 'PGHOST',
  user: 'PGUSER',
} as const;

/**
 * The one-off set-up of a service's own database on a shared server (Aurora on ECS): as
 * the admin (libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE), create the service's
 * login role and the database it owns; keep its URL as an SSM SecureString, where the
 * service's task reads DATABASE_URL from. Idempotent: the password already in the
 * parameter is kept, so running it again changes nothing a running service holds.
 */
export async function createServiceDatabase(
  options: CreateServiceDatabaseOptions,
): Promise<ServiceDatabaseResult> {
  const { env, logger } = options;
  const missing = Object.values(variables).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(`--create-database needs ${missing.join(', ')} (the one-off task sets them)`);
  }
  const role = env[variables.role] as string;
  const database = env[variables.database] as string;
  const parameter = env[variables.parameter] as string;

  const {
    GetParameterCommand,
    PutParameterCommand,
    SSMClient: Client,
  } = await import('@aws-sdk/client-ssm');
  const ssm = options.ssm ?? new Client({ region: env.AWS_REGION });
  const existing = await ssm
    .send(new GetParameterCommand({ Name: parameter, WithDecryption: true }))
    .then(
      (out) => out.Parameter?.Value,
      (error: Error) => {
        if (error.name === 'ParameterNotFound') return undefined;
        throw error;
      },
    );
  const password = passwordOf(existing, role) ?? randomBytes(24).toString('base64url');

  // libpq's variables, read from `env` (not process.env): what the task was given.
  const { Client: PgClient } = await importPg();
  const admin = new PgClient({
    host: env.PGHOST,
    port: Number(env.PGPORT ?? 5432),
    user: env.PGUSER,
    password: env.PGPASSWORD,
    database: env.PGDATABASE ?? 'postgres',
    ssl: sslOf(env.PGSSLMODE),
  });
  await admin.connect();
  try {
    await ensureLoginRole(admin, role, password, await connectedAsSuperuser(admin));
    await ensureOwnedDatabase(admin, database, role);
  } finally {
    await admin.end();
  }

  const url = new URL(`postgres://${env.PGHOST}:${env.PGPORT ?? 5432}`);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  if (env.PGSSLMODE) url.searchParams.set('sslmode', env.PGSSLMODE);
  const urlWritten = url.toString() !== existing;
  if (urlWritten) {
    await ssm.send(
      new PutParameterCommand({
        Name: parameter,
        Value: url.toString(),
        Type: 'SecureString',
        Overwrite: true,
        Description: `DATABASE_URL of the role ${role}`,
      }),
    );
  }
  logger.info({ role, database, parameter, urlWritten }, 'service database ready');
  return { role, database, parameter, urlWritten };
}

function passwordOf(url: string | undefined, role: string): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return decodeURIComponent(parsed.username) === role && parsed.password
      ? decodeURIComponent(parsed.password)
      : undefined;
  } catch {
    return undefined;
  }
}

/** PGSSLMODE as node-postgres takes it: Aurora in a VPC is reached with `no-verify`. */
function sslOf(mode: string | undefined): pg.ClientConfig['ssl'] {
  if (!mode || mode === 'disable') return false;
  return mode === 'no-verify' ? { rejectUnauthorized: false } : true;
}
