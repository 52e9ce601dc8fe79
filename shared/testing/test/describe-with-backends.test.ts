import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getContainerRuntimeClient } from 'testcontainers';
import { describe, expect, it } from 'vitest';

const vitestCli = fileURLToPath(new URL('../vitest.mjs', import.meta.resolve('vitest')));
const fixture = fileURLToPath(new URL('./fixtures/needs-backends/', import.meta.url));
const hasRuntime = await getContainerRuntimeClient().then(
  () => true,
  () => false,
);

describe('describeWithBackends', () => {
  it.skipIf(hasRuntime)(
    'skips, and says why, when the mode cannot run here (containers, no runtime)',
    async () => {
      // A real vitest run of a fixture package: the global setup, provide/inject and the
      // reporter are all part of what is checked. It must pass (not fail) and not run.
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [vitestCli, 'run', '--root', fixture, '--reporter', 'verbose'],
        { env: { ...process.env, STOREKEEPER_BACKENDS: 'containers', NO_COLOR: '1' } },
      );
      const output = stdout + stderr;
      expect(output).toContain(
        'containers is unavailable here, so suites that need backing services are SKIPPED: ' +
          'no container runtime',
      );
      expect(output).toMatch(
        /a repository \[skipped: containers backends unavailable: no container runtime/,
      );
      expect(output).toMatch(/Tests\s+1 skipped/);
    },
  );
});
