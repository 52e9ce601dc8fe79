import { describe, expect, it } from 'vitest';
import { createRollingWindow, percentiles } from '../src/rolling-window.ts';

describe('rolling window', () => {
  it('counts over the window and forgets what has left it', () => {
    let now = 1_000_000;
    const window = createRollingWindow(1_000, ['calls', 'failures'], () => now);
    window.add('calls');
    window.add('failures');
    now += 500;
    window.add('calls');
    expect(window.totals()).toEqual({ calls: 2, failures: 1 });
    now += 600; // the first bucket is now older than the window
    expect(window.totals()).toEqual({ calls: 1, failures: 0 });
    now += 1_000;
    expect(window.totals()).toEqual({ calls: 0, failures: 0 });
  });

  it('keeps a bounded sample of latencies per bucket', () => {
    const window = createRollingWindow(1_000, ['calls'], () => 0);
    for (let i = 0; i < 10_000; i++) window.latency(i % 100);
    expect(window.latencies()).toHaveLength(500);
  });
});

describe('percentiles', () => {
  it('takes the nearest rank', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(latencies)).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(percentiles([])).toBeNull();
    expect(percentiles([1.234])).toEqual({ p50: 1.2, p95: 1.2, p99: 1.2 });
  });
});
