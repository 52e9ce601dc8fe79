import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../testing/src/wait-for.ts';
import { findFreePort } from '../../src/ports.ts';

const runner = fileURLToPath(new URL('./fixtures/run-fixture-system.ts', import.meta.url));

interface Run {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function runFixtureSystem(ports: Record<string, number>, env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, ['--conditions=@storekeeper/source', runner], {
    env: { ...process.env, ...env, FIXTURE_PORTS: JSON.stringify(ports) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // Colours depend on FORCE_COLOR in the environment; the text is what is checked.
  return { child, output: () => stripVTControlCharacters(output), exited };
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What the run reported about its backends: their ports and the throw-away data folder. */
function backendsOf(output: string) {
  const ports = [...output.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  const dataDir = /data\s+(\S+) \(deleted on stop\)/.exec(output)?.[1];
  return { ports, dataDir };
}

async function freePorts() {
  return { 'db-service': await findFreePort(), 'web-service': await findFreePort() };
}

/** Waits until the run has printed `text`; on timeout the error shows what it did print. */
async function waitForOutput(run: Run, text: string): Promise<void> {
  try {
    await waitFor(() => run.output().includes(text), {
      timeout: 45_000,
      description: `"${text}" in the output`,
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}; the output was:\n${run.output()}`);
  }
}

describe('pnpm start (runSystem)', () => {
  it('migrates, starts every service until ready, and on SIGTERM stops all of it, exit 0', async () => {
    const ports = await freePorts();
    const run = runFixtureSystem(ports);
    await waitForOutput(run, 'is up in');
    const output = run.output();
    expect(output).toMatch(/db-service:migrate\s+│ .*"database":"fixture_db"/); // its own DATABASE_URL
    expect(output).toMatch(/db-service ready in \d+\.\d s/);
    expect(output).toMatch(/web-service ready in \d+\.\d s/);
    expect(output).toContain(`API docs  http://127.0.0.1:${ports['web-service']}/docs`);
    const backends = backendsOf(output);
    expect(await isListening(ports['db-service'])).toBe(true);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Stopping (received SIGTERM)');
    for (const port of [ports['db-service'], ports['web-service'], ...backends.ports]) {
      expect(await isListening(port)).toBe(false);
    }
    expect(backends.dataDir && existsSync(backends.dataDir)).toBe(false); // PostgreSQL stopped, data gone
  });

  it('stops everything, exit 1, when a service dies', async () => {
    const ports = await freePorts();
    const run = runFixtureSystem(ports);
    await waitForOutput(run, 'is up in');
    const backends = backendsOf(run.output());

    await fetch(`http://127.0.0.1:${ports['db-service']}/crash`).catch(() => undefined);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('Stopping (db-service stopped unexpectedly (exit code 3))');
    for (const port of [ports['web-service'], ...backends.ports]) {
      expect(await isListening(port)).toBe(false);
    }
  });

  it('refuses to start, naming the port, when a service port is taken', async () => {
    const ports = await freePorts();
    const blocker = createServer();
    await new Promise<void>((resolve) =>
      blocker.listen(ports['web-service'], '127.0.0.1', resolve),
    );
    try {
      const run = runFixtureSystem(ports);
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(
        `port ${ports['web-service']} on 127.0.0.1 (the web-service service)`,
      );
      expect(run.output()).not.toContain('Starting the backends');
    } finally {
      blocker.close();
    }
  });

  it('stops the backends, exit 1, when migrations fail', async () => {
    const run = runFixtureSystem(await freePorts(), { FIXTURE_MIGRATE_EXIT: '2' });
    expect(await run.exited).toBe(1);
    const { ports } = backendsOf(run.output());
    expect(run.output()).toContain('Stopping (the migrations of db-service failed)');
    expect(run.output()).not.toContain('Starting db-service, web-service');
    for (const port of ports) expect(await isListening(port)).toBe(false);
  });
});
