import { randomBytes } from 'node:crypto';
import { connectedAsSuperuser, ensureLoginRole, ensureOwnedDatabase } from '@storekeeper/contracts';
import { type BackendConnection, databaseUrl, generatePassword } from '@storekeeper/local-cloud';
import pg from 'pg';
import { requireBackends } from './use-backends.ts';

export interface TestDatabase {
  /** Database name; the role that owns it has the same name. */
  readonly name: string;
  readonly role: string;
  /** `DATABASE_URL` for the code under test: the owning role, this database only. */
  readonly url: string;
  /** Drops the database (closing open connections) and its role. Safe to call twice. */
  drop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A fresh database for one suite, owned by a fresh login role that can reach nothing else,
 * like a service's own database. Unique names let test files run in parallel and CI jobs
 * share one server. Drop it when the suite ends:
 *
 *   beforeAll(async () => {
 *     db = await createTestDatabase('user');
 *     return db.drop;
 *   });
 *
 * or `await using db = await createTestDatabase('user')` inside a single test.
 */
export async function createTestDatabase(
  service: string,
  options: { connection?: BackendConnection } = {},
): Promise<TestDatabase> {
  const connection = options.connection ?? requireBackends().connection;
  const adminUrl = connection.postgres.adminUrl;
  // Lower case: PostgreSQL folds unquoted identifiers, and people will type these in psql.
  const name = `test_${service.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`;
  const password = generatePassword();

  await withAdmin(adminUrl, async (client) => {
    await ensureLoginRole(client, name, password, await connectedAsSuperuser(client));
    await ensureOwnedDatabase(client, name, name);
  });

  let dropping: Promise<void> | undefined;
  const drop = () => {
    dropping ??= withAdmin(adminUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(name)}`);
    });
    return dropping;
  };
  return {
    name,
    role: name,
    url: databaseUrl(adminUrl, name, password, name),
    drop,
    [Symbol.asyncDispose]: drop,
  };
}

async function withAdmin(adminUrl: string, work: (client: pg.Client) => Promise<void>) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
