import type { TestBackends } from './test-backends.ts';

/** Backends a test run started (or found), and how to let go of them. */
export interface StartedBackends {
  readonly backends: TestBackends;
  stop(): Promise<void>;
}
