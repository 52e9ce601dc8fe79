import { defineConfig } from 'vitest/config';

/**
 * `pnpm test`: every package's own vitest config as one project of a single run, so the
 * backing services start once (see @storekeeper/testing). A package is part of the run when
 * it has a vitest.config.ts; `pnpm --filter <pkg> test` runs the same config on its own.
 */
export default defineConfig({
  test: {
    // Globs, so a package without a config (yet) is simply not part of the run.
    projects: [
      '{shared,services}/*/vitest.config.ts',
      'infra/vitest.config.*',
      'e2e/vitest.config.ts',
      'scripts/vitest.config.ts',
    ],
  },
});
