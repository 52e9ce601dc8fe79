/**
 * How a service's declared PostgreSQL store (`stores.postgres` of its manifest) is made real
 * on a server: a login role with a password, and a database that role owns and no other
 * role may connect to. One implementation for every place that does it: `pnpm start` and
 * the tests (local-cloud), the compose bootstrap, and the one-off `migrate
 * --create-database` task on AWS (the service kit).
 *
 * Typed by the few methods it calls, so this package needs no SQL driver: a `pg.Client`
 * fits.
 */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
  escapeIdentifier(value: string): string;
  escapeLiteral(value: string): string;
}

/** Whether the connected role is a superuser (a local server) or not (Aurora, RDS). */
export async function connectedAsSuperuser(client: SqlClient): Promise<boolean> {
  const { rows } = await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  return (rows[0] as { rolsuper?: boolean } | undefined)?.rolsuper === true;
}

/**
 * Creates the role, or sets the password of the one there is. It can do nothing else:
 * no superuser, no CREATEDB, no CREATEROLE.
 */
export async function ensureLoginRole(
  client: SqlClient,
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

/** Creates the database (or takes it over) for its owner, closed to every other role. */
export async function ensureOwnedDatabase(
  client: SqlClient,
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
