import { getContainerRuntimeClient } from 'testcontainers';
import { describe, expect, it } from 'vitest';
import { startContainerBackends } from '../src/start-container-backends.ts';

const hasRuntime = await getContainerRuntimeClient().then(
  () => true,
  () => false,
);

describe('containers mode', () => {
  // With a runtime this would start PostgreSQL and LocalStack; the suites in containers
  // mode cover that. Here: what happens on a machine without one.
  it.skipIf(hasRuntime)('reports "unavailable" with the reason instead of failing', async () => {
    const started = await startContainerBackends({});
    expect(started.backends).toMatchObject({
      mode: 'containers',
      available: false,
      reason: expect.stringContaining('no container runtime'),
    });
    await started.stop();
  });
});
