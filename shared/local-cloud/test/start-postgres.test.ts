import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PortInUseError } from '../src/ports.ts';
import { startPostgres } from '../src/start-postgres.ts';

describe('startPostgres', () => {
  it('fails fast, naming the port, when PostgreSQL cannot bind it', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'start-postgres-test-'));
    await chmod(parent, 0o755); // as root, PostgreSQL runs as `postgres` and must get through
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const failure = startPostgres({
        dataDir: join(parent, 'postgres'),
        port,
        superuserPassword: 'secret',
        durable: false,
      });
      await expect(failure).rejects.toBeInstanceOf(PortInUseError);
      await expect(failure).rejects.toThrow(`port ${port} on 127.0.0.1 (PostgreSQL)`);
    } finally {
      blocker.close();
      await rm(parent, { recursive: true, force: true });
    }
  });
});
