import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSupervisor } from '../../src/system/create-supervisor.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const node = process.execPath;

describe('createSupervisor', () => {
  it('prefixes output lines with the name', async () => {
    const lines: string[] = [];
    const supervisor = createSupervisor((name, line, stream) =>
      lines.push(`${name}/${stream}: ${line}`),
    );
    const child = supervisor.start({
      name: 'hello',
      command: node,
      args: ['-e', 'console.log("one\\ntwo"); console.error("oops")'],
    });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(lines).toEqual(['hello/stdout: one', 'hello/stdout: two', 'hello/stderr: oops']);
  });

  it('writes standard output straight to a file when given one, and still reads stderr', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'supervisor-')), 'stdout.log');
    const fd = openSync(file, 'a');
    const lines: string[] = [];
    const supervisor = createSupervisor(
      (name, line, stream) => lines.push(`${name}/${stream}: ${line}`),
      { stdout: fd },
    );
    const child = supervisor.start({
      name: 'hello',
      command: node,
      args: ['-e', 'console.log("one\\ntwo"); console.error("oops")'],
    });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
    expect(lines).toEqual(['hello/stderr: oops']);
  });

  it('escalates to SIGKILL, for the whole process group, when SIGTERM is ignored', async () => {
    const lines: string[] = [];
    const supervisor = createSupervisor((name, line) => lines.push(`${name}: ${line}`));
    // A child that ignores SIGTERM and has started a grandchild of its own.
    const stubborn = supervisor.start({
      name: 'stubborn',
      command: node,
      args: [
        '-e',
        `process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
         const grandchild = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
         console.log('grandchild ' + grandchild.pid);
         setInterval(() => {}, 1000);`,
      ],
    });
    let grandchild = 0;
    await new Promise<void>((resolve) => {
      stubborn.child.stdout?.on('data', (chunk: Buffer) => {
        const match = /grandchild (\d+)/.exec(String(chunk));
        if (match) {
          grandchild = Number(match[1]);
          resolve();
        }
      });
    });

    await supervisor.stop([stubborn], 300);

    expect(await stubborn.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(lines).toContain('stubborn: did not exit within 300 ms of SIGTERM; sending SIGKILL');
    expect(isAlive(grandchild)).toBe(false);
    expect(supervisor.running()).toEqual([]);
  });

  it('reports a command that cannot be started as exited, with the error', async () => {
    const supervisor = createSupervisor(() => undefined);
    const missing = supervisor.start({ name: 'missing', command: '/nonexistent/bin', args: [] });
    expect((await missing.exited).error?.message).toContain('ENOENT');
  });
});
