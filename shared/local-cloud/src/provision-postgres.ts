import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ServiceDatabase } from './backend-connection.ts';
import { declaredDatabases, type PostgresDatabase } from './declared-stores.ts';

export interface ProvisionPostgresOptions {
  /** Defaults to every database the services declare (their manifests). */
  readonly databases?: readonly PostgresDatabase[];
  /** Passwords to keep, by service (a persisted cluster); the rest are generated. */
  readonly passwords?: Readonly<Record<string, string>>;
}

/**
 * Database per service, on any server: for each declared database a login role with a
 * password and a database owned by that role, which no other role may connect to (PUBLIC
 * loses the default CONNECT and TEMP). Idempotent: an existing role gets its password
 * (re)set, an existing database its owner. `adminUrl` must be a superuser or a role with
 * CREATEROLE and CREATEDB.
 */
export async function provisionPostgres(
  adminUrl: string,
  options: ProvisionPostgresOptions = {},
): Promise<Record<string, ServiceDatabase>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ rolsuper: boolean }>(
      'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
    );
    const isSuperuser = rows[0]?.rolsuper === true;
    const provisioned: Record<string, ServiceDatabase> = {};
    for (const declared of options.databases ?? declaredDatabases()) {
      const password = options.passwords?.[declared.service] ?? generatePassword();
      await ensureLoginRole(client, declared.role, password, isSuperuser);
      await ensureOwnedDatabase(client, declared.database, declared.role);
      provisioned[declared.service] = {
        service: declared.service,
        database: declared.database,
        role: declared.role,
        password,
        url: databaseUrl(adminUrl, declared.role, password, declared.database),
      };
    }
    return provisioned;
  } finally {
    await client.end();
  }
}

export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** `adminUrl` with another role, password and database; host, port and options kept. */
export function databaseUrl(
  adminUrl: string,
  role: string,
  password: string,
  database: string,
): string {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

export async function ensureLoginRole(
  client: pg.Client,
  role: string,
  password: string,
  isSuperuser: boolean,
): Promise<void> {
  const name = client.escapeIdentifier(role);
  const login = `LOGIN PASSWORD ${client.escapeLiteral(password)}`;
  const powerless = 'NOSUPERUSER NOCREATEDB NOCREATEROLE';
  try {
    await client.query(`CREATE ROLE ${name} ${login} ${powerless}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42710') throw error; // duplicate_object
    try {
      // Only a superuser may touch SUPERUSER, even to take it away.
      await client.query(`ALTER ROLE ${name} WITH ${login} ${isSuperuser ? powerless : ''}`);
    } catch (alterError) {
      if ((alterError as { code?: string }).code !== '42501') throw alterError;
      throw new Error(
        `role ${role} exists, but the admin role may not change it (PostgreSQL 16+: only ` +
          `roles with ADMIN OPTION on it may); run \`GRANT ${role} TO <admin> WITH ADMIN ` +
          `OPTION\` as its creator, or drop the role`,
        { cause: alterError },
      );
    }
  }
  // A non-superuser may only make a role the owner of a database if it may SET ROLE to it
  // (PostgreSQL 16+ no longer grants that implicitly to the role's creator).
  if (!isSuperuser) await client.query(`GRANT ${name} TO CURRENT_USER`);
}

export async function ensureOwnedDatabase(
  client: pg.Client,
  database: string,
  owner: string,
): Promise<void> {
  const name = client.escapeIdentifier(database);
  const ownerName = client.escapeIdentifier(owner);
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
    database,
  ]);
  if (rowCount === 0) {
    try {
      await client.query(`CREATE DATABASE ${name} OWNER ${ownerName}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42P04') throw error; // duplicate_database
    }
  }
  await client.query(`ALTER DATABASE ${name} OWNER TO ${ownerName}`);
  // Every role may connect to every database by default; database per service means not.
  await client.query(`REVOKE ALL ON DATABASE ${name} FROM PUBLIC`);
}
