import { describe, inject } from 'vitest';
import type { AvailableBackends, TestBackends } from './test-backends.ts';

/** The backends of this run, as the global setup provided them. */
export function getBackends(): TestBackends {
  const backends = inject('storekeeperBackends');
  if (!backends) {
    throw new Error(
      'no backing services were provided to this test: its package must use ' +
        'createVitestConfig(import.meta.dirname) (with backends left on) in vitest.config.ts',
    );
  }
  return backends;
}

/** The backends, or an error saying why there are none (use inside `describeWithBackends`). */
export function requireBackends(): AvailableBackends {
  const backends = getBackends();
  if (!backends.available) {
    throw new Error(`backing services (${backends.mode}) are unavailable: ${backends.reason}`);
  }
  return backends;
}

/**
 * `describe` for suites that need backing services. When the mode cannot run here
 * (containers without a runtime) the suite is skipped and its name carries the reason, so
 * the report says what did not run and why.
 */
export function describeWithBackends(name: string, body: () => void): void {
  const backends = getBackends();
  if (backends.available) {
    describe(name, body);
  } else {
    describe.skip(
      `${name} [skipped: ${backends.mode} backends unavailable: ${backends.reason}]`,
      body,
    );
  }
}
