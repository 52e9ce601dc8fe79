import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `url` until it answers 200, up to `timeoutMs`. Gives up early when `stop` settles
 * (the process died, or Ctrl-C): waiting on a dead process helps no one.
 */
export async function waitUntilReady(
  url: string,
  options: { timeoutMs: number; stop: Promise<unknown>; intervalMs?: number },
): Promise<'ready' | 'stopped' | 'timeout'> {
  let stopped = false;
  void options.stop.then(() => {
    stopped = true;
  });
  const deadline = Date.now() + options.timeoutMs;
  while (!stopped && Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.status === 200) return 'ready';
    } catch {
      // not listening yet
    }
    // Often: a refused connection costs next to nothing, and start-up is measured by this.
    await delay(options.intervalMs ?? 20);
  }
  return stopped ? 'stopped' : 'timeout';
}
