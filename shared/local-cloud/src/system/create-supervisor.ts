import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcessSpec {
  /** Prefix of its output lines and name in messages. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Adds an IPC channel (the child can `process.send`). */
  readonly ipc?: boolean;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  readonly error?: Error;
}

export interface SupervisedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles once the process has exited and its output has been passed on. */
  readonly exited: Promise<ExitStatus>;
  readonly hasExited: boolean;
}

export interface Supervisor {
  start(spec: ProcessSpec): SupervisedProcess;
  /**
   * SIGTERM to each process group, up to `timeoutMs` for them to exit, then SIGKILL for
   * what is left. Resolves when every one of them has exited.
   */
  stop(processes: readonly SupervisedProcess[], timeoutMs: number): Promise<void>;
  /** SIGKILL to every running process group, for a second Ctrl-C. */
  killAll(): void;
  running(): SupervisedProcess[];
}

export type OutputLine = (name: string, line: string, stream: 'stdout' | 'stderr') => void;

export interface SupervisorOptions {
  /**
   * A file descriptor every child's standard output is written to directly, instead of
   * being read line by line into `output` (standard error still is). For measuring a
   * service without a reader of its log lines on its CPU, as a log driver takes them.
   */
  readonly stdout?: number;
}

/**
 * Child processes run in their own process group (detached), so a Ctrl-C in the terminal
 * reaches only the orchestrator, which then stops them in order: services before the
 * backends they use. Signals go to the whole group, so nothing a child started survives.
 */
export function createSupervisor(output: OutputLine, options: SupervisorOptions = {}): Supervisor {
  const all = new Set<SupervisedProcess>();

  // Also after the leader exited: something it started may still be in its group.
  function signalGroup(process_: SupervisedProcess, signal: NodeJS.Signals): void {
    const pid = process_.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is already gone
    }
  }

  function start(spec: ProcessSpec): SupervisedProcess {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', options.stdout ?? 'pipe', 'pipe', ...(spec.ipc ? (['ipc'] as const) : [])],
    });
    let hasExited = false;
    const exited = new Promise<ExitStatus>((resolve) => {
      // 'close', not 'exit': by then every line it wrote has been passed on.
      child.once('close', (code, signal) => {
        hasExited = true;
        resolve({ code, signal });
      });
      child.once('error', (error) => {
        // 'error' without a spawned process: there will be no 'close'.
        if (child.pid === undefined) {
          hasExited = true;
          resolve({ code: null, signal: null, error });
        }
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      if (!source) continue;
      createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
        output(spec.name, line, stream),
      );
    }
    const supervised: SupervisedProcess = {
      name: spec.name,
      child,
      exited,
      get hasExited() {
        return hasExited;
      },
    };
    all.add(supervised);
    void exited.then(() => all.delete(supervised));
    return supervised;
  }

  async function stop(processes: readonly SupervisedProcess[], timeoutMs: number) {
    const alive = processes.filter((p) => !p.hasExited);
    for (const p of alive) signalGroup(p, 'SIGTERM');
    const allExited = Promise.all(alive.map((p) => p.exited));
    if (await settlesWithin(allExited, timeoutMs)) return;
    for (const p of alive) {
      if (p.hasExited) continue;
      output(p.name, `did not exit within ${timeoutMs} ms of SIGTERM; sending SIGKILL`, 'stderr');
      signalGroup(p, 'SIGKILL');
    }
    await allExited;
  }

  return {
    start,
    stop,
    killAll: () => {
      for (const p of all) signalGroup(p, 'SIGKILL');
    },
    running: () => [...all],
  };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
