/**
 * Exponential backoff with "equal jitter" (half fixed, half random): attempt 1 waits up to `initialMs`, each further
 * attempt up to twice as long, never more than `maxMs`. Jitter keeps several relays (or
 * consumers) that failed together from retrying together.
 */
export function backoffDelay(
  attempt: number,
  options: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
