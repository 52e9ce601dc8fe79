import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  /** What is awaited, for the timeout message ("order 42 to be CONFIRMED"). */
  readonly description: string;
  /** Give up after this many ms. Default 5000. */
  readonly timeout?: number;
  /** Pause between attempts, in ms. Default 50. */
  readonly interval?: number;
}

export class WaitForTimeoutError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WaitForTimeoutError';
  }
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Retries `condition` until it returns a truthy value (which is returned) or the time is up.
 * A throwing attempt counts as "not yet"; its error becomes the timeout error's cause, so a
 * failure says what was awaited and what went wrong last. The replacement for sleeps.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<Truthy<Awaited<T>>> {
  const timeout = options.timeout ?? 5_000;
  const interval = options.interval ?? 50;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    const remaining = deadline - Date.now();
    try {
      const value = await withinTime(Promise.resolve(condition()), remaining);
      if (value) return value as Truthy<Awaited<T>>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + interval > deadline) break;
    await delay(interval);
  }
  const last = lastError === undefined ? '' : `; last attempt failed: ${describeError(lastError)}`;
  throw new WaitForTimeoutError(
    `timed out after ${timeout} ms (${attempts} attempts) waiting for ${options.description}${last}`,
    lastError === undefined ? undefined : { cause: lastError },
  );
}

/** An attempt that hangs must not hold the wait past its deadline. */
async function withinTime<T>(attempt: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('attempt still pending at the deadline')),
      Math.max(ms, 0),
    );
  });
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
