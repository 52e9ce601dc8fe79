import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, provisionPostgres } from '../src/provision-postgres.ts';
import { type LocalCloud, startLocalCloud } from '../src/start-local-cloud.ts';

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('provisionPostgres', () => {
  let cloud: LocalCloud;
  const databases = [
    { service: 'alpha', database: 'alpha_db', role: 'alpha_role' },
    { service: 'beta', database: 'beta_db', role: 'beta_role' },
  ];

  beforeAll(async () => {
    cloud = await startLocalCloud();
    return () => cloud.stop();
  });

  it('is idempotent and re-sets passwords of existing roles', async () => {
    const adminUrl = cloud.connection.postgres.adminUrl;
    const first = await provisionPostgres(adminUrl, { databases });
    const second = await provisionPostgres(adminUrl, { databases });

    expect(second.alpha?.password).not.toBe(first.alpha?.password);
    await expect(query(first.alpha?.url as string, 'SELECT 1')).rejects.toMatchObject({
      code: '28P01', // invalid_password
    });
    expect(await query(second.alpha?.url as string, 'SELECT current_user')).toEqual([
      { current_user: 'alpha_role' },
    ]);
  });

  it('works for an admin that is not a superuser (CREATEROLE + CREATEDB, as on RDS)', async () => {
    const adminUrl = cloud.connection.postgres.adminUrl;
    await query(adminUrl, "CREATE ROLE ci_admin LOGIN CREATEROLE CREATEDB PASSWORD 'ci'");
    const ciAdminUrl = databaseUrl(adminUrl, 'ci_admin', 'ci', 'postgres');
    const declared = [{ service: 'gamma', database: 'gamma_db', role: 'gamma_role' }];

    await provisionPostgres(ciAdminUrl, { databases: declared });
    const provisioned = await provisionPostgres(ciAdminUrl, { databases: declared });

    const [row] = await query(provisioned.gamma?.url as string, 'SELECT current_database()');
    expect(row).toEqual({ current_database: 'gamma_db' });
  });

  it("says what to do when a non-superuser admin may not change someone else's role", async () => {
    const adminUrl = cloud.connection.postgres.adminUrl;
    await query(adminUrl, "CREATE ROLE other_admin LOGIN CREATEROLE CREATEDB PASSWORD 'o'");
    const otherAdminUrl = databaseUrl(adminUrl, 'other_admin', 'o', 'postgres');
    // `alpha_role` was created by the superuser, in the first test.
    await expect(provisionPostgres(otherAdminUrl, { databases })).rejects.toThrow(
      'role alpha_role exists, but the admin role may not change it',
    );
  });

  it('keeps each role out of the other databases, and the roles powerless', async () => {
    const adminUrl = cloud.connection.postgres.adminUrl;
    const provisioned = await provisionPostgres(adminUrl, { databases });
    const intruder = new URL(provisioned.beta?.url as string);
    intruder.pathname = '/alpha_db';
    await expect(query(intruder.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '42501' });

    const [attributes] = await query(
      adminUrl,
      "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'beta_role'",
    );
    expect(attributes).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
  });
});
