import { pollUntil } from './poll-until.ts';

/** Whether a process exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but we may not signal it.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits until `pid` is gone, up to `timeoutMs`, and says whether it went. Polls because a
 * process whose handle a library keeps to itself offers us no exit event.
 */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  try {
    await pollUntil(() => !isAlive(pid), {
      timeoutMs,
      intervalMs: 25,
      description: `process ${pid} to exit`,
    });
    return true;
  } catch {
    return false;
  }
}
