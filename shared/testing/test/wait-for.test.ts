import { describe, expect, it } from 'vitest';
import { WaitForTimeoutError, waitFor } from '../src/wait-for.ts';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), {
      description: 'the third call',
      interval: 1,
    });
    expect(value).toEqual({ calls: 3 });
  });

  it('treats a throwing attempt as "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        if (++calls < 3) throw new Error('not ready');
        return 'ready';
      },
      { description: 'readiness', interval: 1 },
    );
    expect(value).toBe('ready');
  });

  it('times out with the description and the last failure as cause', async () => {
    const failure = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { description: 'order 42 to be CONFIRMED', timeout: 100, interval: 10 },
    );
    await expect(failure).rejects.toBeInstanceOf(WaitForTimeoutError);
    await expect(failure).rejects.toThrow(
      /timed out after 100 ms \(\d+ attempts\) waiting for order 42 to be CONFIRMED; last attempt failed: connection refused/,
    );
    await expect(failure).rejects.toHaveProperty('cause.message', 'connection refused');
  });

  it('does not let a hanging attempt hold it past the deadline', async () => {
    const started = Date.now();
    await expect(
      waitFor(() => new Promise(() => undefined), { description: 'a reply', timeout: 100 }),
    ).rejects.toThrow('waiting for a reply');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
