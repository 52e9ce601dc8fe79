import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

export interface StorekeeperVitestOptions {
  /** Project name; defaults to the `name` in the folder's package.json. */
  readonly name?: string;
  /**
   * Start (or resolve) the backing services once per run and provide them to the tests
   * (see README). Default true; packages with pure unit tests only can turn it off.
   */
  readonly backends?: boolean;
  /** Extra vitest options, merged over the defaults. */
  readonly test?: UserWorkspaceConfig['test'];
}

/**
 * Workspace packages resolve to their TypeScript source through this export condition, in
 * tests as in `node --conditions=@storekeeper/source`. Vite's own defaults must be repeated
 * because setting `conditions` replaces them; vitest also passes the SSR list to its
 * workers as `--conditions`, which covers modules Node loads natively.
 */
const conditions = ['@storekeeper/source', 'node', 'development|production'];

const globalSetup = fileURLToPath(new URL('./global-setup.ts', import.meta.url));

/**
 * The vitest config of one workspace package:
 *
 *   // vitest.config.ts
 *   import { createVitestConfig } from '@storekeeper/testing/vitest-config';
 *   export default createVitestConfig(import.meta.dirname);
 *
 * Works for `pnpm --filter <pkg> test` and as a project of the root `vitest run`.
 */
export function createVitestConfig(
  packageDir: string,
  options: StorekeeperVitestOptions = {},
): UserWorkspaceConfig {
  const name = options.name ?? packageName(packageDir);
  return defineProject({
    root: packageDir,
    resolve: { conditions },
    // `ssr` runs the tests, `__vitest__` the global setup; each resolves on its own.
    environments: {
      ssr: { resolve: { conditions, externalConditions: ['@storekeeper/source'] } },
      __vitest__: { resolve: { conditions } },
    },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      globalSetup: options.backends === false ? [] : [globalSetup],
      // Integration tests talk to real servers; unit tests finish long before this.
      testTimeout: 20_000,
      hookTimeout: 60_000,
      ...options.test,
    },
  });
}

function packageName(dir: string): string {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
  return name;
}
