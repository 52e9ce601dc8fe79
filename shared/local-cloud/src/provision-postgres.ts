import { randomBytes } from 'node:crypto';
import { connectedAsSuperuser, ensureLoginRole, ensureOwnedDatabase } from '@storekeeper/contracts';
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
    const isSuperuser = await connectedAsSuperuser(client);
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
