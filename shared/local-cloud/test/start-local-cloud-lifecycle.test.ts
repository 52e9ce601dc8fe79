import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortInUseError } from '../src/ports.ts';
import { startLocalCloud } from '../src/start-local-cloud.ts';

let parent: string;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'local-cloud-test-'));
  await chmod(parent, 0o755); // as root, PostgreSQL runs as `postgres` and must get through
});

afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('a persisted local cloud', () => {
  it('keeps data and credentials across a restart', async () => {
    const dataDir = join(parent, 'kept');
    const first = await startLocalCloud({ persist: true, dataDir });
    const url = first.envFor('order').DATABASE_URL as string;
    await query(url, "CREATE TABLE notes (text text); INSERT INTO notes VALUES ('kept')");
    await first.stop();
    expect(existsSync(dataDir)).toBe(true);

    const second = await startLocalCloud({ persist: true, dataDir });
    try {
      const again = second.envFor('order').DATABASE_URL as string;
      // Same password: a DATABASE_URL copied into a .env keeps working.
      expect(new URL(again).password).toBe(new URL(url).password);
      expect(await query(again, 'SELECT text FROM notes')).toEqual([{ text: 'kept' }]);
    } finally {
      await second.stop();
    }
  });
});

describe('a failed start', () => {
  it('names the port that is taken and starts nothing', async () => {
    const blocker = await listen(createServer());
    const port = (blocker.address() as { port: number }).port;
    try {
      const failure = startLocalCloud({ ports: { dynamodb: port } });
      await expect(failure).rejects.toBeInstanceOf(PortInUseError);
      await expect(failure).rejects.toThrow(`port ${port}`);
    } finally {
      blocker.close();
    }
  });

  it('stops what had already started when a later step fails', async () => {
    const dataDir = join(parent, 'wrong-password');
    const first = await startLocalCloud({ persist: true, dataDir });
    await first.stop();
    // A wrong superuser password lets PostgreSQL, fauxqs and dynalite start, then fails
    // the provisioning: the half-way point.
    const file = join(dataDir, 'credentials.json');
    const credentials = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...credentials, superuserPassword: 'wrong' }));

    const logs: string[] = [];
    await expect(
      startLocalCloud({ persist: true, dataDir, onLog: (_, line) => logs.push(line) }),
    ).rejects.toThrow(/password authentication failed/);

    // A clean shutdown removes postmaster.pid; a running or killed PostgreSQL leaves it.
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(logs.join('\n')).toContain('database system is shut down');
  });
});

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
