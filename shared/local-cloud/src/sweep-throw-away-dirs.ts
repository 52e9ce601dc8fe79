import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './process-exit.ts';

export const throwAwayPrefix = 'storekeeper-local-cloud-';
const staleAfterMs = 10 * 60_000;

/**
 * Deletes throw-away data folders that a killed run left behind (Ctrl-C during a test run
 * ends vitest before its teardown): older than ten minutes and without a running
 * PostgreSQL. Best effort; a folder in use is never touched.
 */
export async function sweepThrowAwayDirs(parent: string): Promise<void> {
  const entries = await readdir(parent).catch(() => []);
  await Promise.all(
    entries
      .filter((entry) => entry.startsWith(throwAwayPrefix))
      .map(async (entry) => {
        const dir = join(parent, entry);
        try {
          const { mtimeMs } = await stat(dir);
          if (Date.now() - mtimeMs < staleAfterMs || (await hasRunningPostgres(dir))) return;
          await rm(dir, { recursive: true, force: true });
        } catch {
          // someone else's, or gone already
        }
      }),
  );
}

async function hasRunningPostgres(dir: string): Promise<boolean> {
  const pidFile = join(dir, 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
  return Number.isInteger(pid) && isAlive(pid);
}
