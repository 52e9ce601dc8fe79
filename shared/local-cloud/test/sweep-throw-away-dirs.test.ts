import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sweepThrowAwayDirs, throwAwayPrefix } from '../src/sweep-throw-away-dirs.ts';

describe('sweepThrowAwayDirs', () => {
  let parent: string;
  const hourAgo = new Date(Date.now() - 60 * 60_000);

  async function leftover(name: string, options: { old: boolean; postmasterPid?: number }) {
    const dir = join(parent, `${throwAwayPrefix}${name}`);
    await mkdir(join(dir, 'postgres'), { recursive: true });
    if (options.postmasterPid !== undefined) {
      await writeFile(join(dir, 'postgres', 'postmaster.pid'), `${options.postmasterPid}\n`);
    }
    if (options.old) await utimes(dir, hourAgo, hourAgo);
    return dir;
  }

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'sweep-test-'));
    return () => rm(parent, { recursive: true, force: true });
  });

  it('removes old leftovers whose PostgreSQL is gone, and nothing else', async () => {
    const dead = await leftover('dead', { old: true, postmasterPid: 2 ** 22 + 1 });
    const stopped = await leftover('stopped', { old: true });
    const running = await leftover('running', { old: true, postmasterPid: process.pid });
    const fresh = await leftover('fresh', { old: false });
    const unrelated = join(parent, 'something-else');
    await mkdir(unrelated);
    await utimes(unrelated, hourAgo, hourAgo);

    await sweepThrowAwayDirs(parent);

    expect(existsSync(dead)).toBe(false);
    expect(existsSync(stopped)).toBe(false);
    expect(existsSync(running)).toBe(true);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
  });
});
