import { createVitestConfig } from '@storekeeper/testing/vitest-config';

// Each suite starts the whole system (five processes); two at once on a 2-core machine
// starve each other, so the e2e files run one after the other. Generous timeouts: these
// tests are about behaviour under load, not speed (pnpm bench measures that).
export default createVitestConfig(import.meta.dirname, {
  test: { testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false },
});
