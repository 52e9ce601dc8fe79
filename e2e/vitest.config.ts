import { createVitestConfig } from '@storekeeper/testing/vitest-config';

// The system takes a few seconds to start; each suite starts it once.
export default createVitestConfig(import.meta.dirname, {
  test: { testTimeout: 30_000, hookTimeout: 120_000 },
});
