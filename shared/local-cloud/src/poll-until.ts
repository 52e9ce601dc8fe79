import { setTimeout as delay } from 'node:timers/promises';

/**
 * Calls `check` until it returns true, up to `timeoutMs`; throws naming `description`.
 * For states only observable by asking (a table turning ACTIVE, a process going away).
 */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; description: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.description}`);
    }
    await delay(options.intervalMs ?? 50);
  }
}
