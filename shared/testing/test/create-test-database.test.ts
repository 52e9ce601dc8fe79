import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/create-test-database.ts';
import { describeWithBackends, requireBackends } from '../src/use-backends.ts';

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describeWithBackends('createTestDatabase', () => {
  let first: TestDatabase;
  let second: TestDatabase;

  beforeAll(async () => {
    [first, second] = await Promise.all([createTestDatabase('user'), createTestDatabase('user')]);
    return async () => {
      await Promise.all([first.drop(), second.drop()]);
    };
  });

  it('gives a fresh database, owned by its own role', async () => {
    expect(first.name).not.toBe(second.name);
    expect(first.name).toMatch(/^test_user_[0-9a-f]{10}$/);
    await query(first.url, 'CREATE TABLE t (id int)'); // the owner may create tables
    expect(await query(first.url, 'SELECT current_user, current_database()')).toEqual([
      { current_user: first.role, current_database: first.name },
    ]);
  });

  it("keeps its role out of other databases, like a service's", async () => {
    const intruder = new URL(first.url);
    intruder.pathname = `/${second.name}`;
    await expect(query(intruder.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '42501' });
  });

  it('drops the database and the role, even with connections open', async () => {
    const db = await createTestDatabase('order');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    client.on('error', () => undefined); // the forced drop terminates it

    await db.drop();
    await db.drop(); // twice is fine

    const adminUrl = requireBackends().connection.postgres.adminUrl;
    const rows = await query(
      adminUrl,
      `SELECT (SELECT count(*) FROM pg_database WHERE datname = '${db.name}')::int AS dbs,
              (SELECT count(*) FROM pg_roles WHERE rolname = '${db.role}')::int AS roles`,
    );
    expect(rows).toEqual([{ dbs: 0, roles: 0 }]);
    await client.end().catch(() => undefined);
  });
});
