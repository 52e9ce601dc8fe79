import { createVitestConfig } from '@storekeeper/testing/vitest-config';

// Synthesis and assertions on the templates: no backing services.
export default createVitestConfig(import.meta.dirname, {
  backends: false,
  test: { testTimeout: 120_000, hookTimeout: 120_000 },
});
