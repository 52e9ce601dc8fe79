import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { waitFor } from './wait-for.ts';

export type LogLine = Record<string, unknown>;

export interface SpawnedService {
  readonly child: ChildProcess;
  /** Every JSON line it wrote to stdout, parsed, in order. */
  readonly lines: readonly LogLine[];
  stderr(): string;
  /** The first log line matching `predicate`; rejects after `timeoutMs` saying what was logged. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** SIGKILL if still running; for test cleanup. */
  kill(): void;
}

/**
 * A service as production runs it: `src/server.ts` of its folder in a process of its own,
 * configured only by `env` (plus PATH), its pino lines collected. For tests of start-up
 * and shutdown that must watch a real process from outside.
 */
export function spawnService(serviceDir: string, env: Record<string, string>): SpawnedService {
  const child = spawn(
    process.execPath,
    ['--conditions=@storekeeper/source', join(serviceDir, 'src/server.ts')],
    {
      cwd: serviceDir,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: LogLine[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts.filter(Boolean)) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        lines.push({ msg: part, unparsed: true });
      }
    }
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    at: Date.now(),
  }));

  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    async waitForLog(predicate, timeoutMs = 20_000) {
      let found: LogLine | undefined;
      try {
        await waitFor(
          () => {
            found = lines.find(predicate);
            return found !== undefined || child.exitCode !== null;
          },
          { timeout: timeoutMs, description: 'a matching log line' },
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}; logged: ${describe(lines)} ${stderr}`);
      }
      if (!found)
        throw new Error(`exited before a matching log line: ${describe(lines)} ${stderr}`);
      return found;
    },
  };
}

function describe(lines: readonly LogLine[]): string {
  return lines
    .slice(-15)
    .map((line) => String(line.msg))
    .join(' | ');
}
