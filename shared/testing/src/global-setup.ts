/**
 * vitest globalSetup (wired by createVitestConfig): backing services once per `vitest run`,
 * handed to tests through `provide('storekeeperBackends', ...)`.
 *
 * Every package's config names this file, so a root run over all projects calls it once per
 * project, each through its own module graph. The started backends therefore live on
 * `globalThis` (one vitest process), counted by reference: the first project starts them,
 * the last teardown stops them.
 */
import type { TestProject } from 'vitest/node';
import { startBackends } from './start-backends.ts';
import type { StartedBackends } from './started-backends.ts';
import { providedKey } from './test-backends.ts';

interface Shared {
  users: number;
  started: Promise<StartedBackends>;
}

const sharedKey = Symbol.for('@storekeeper/testing:backends');
const registry = globalThis as { [sharedKey]?: Shared };

function acquire(): Promise<StartedBackends> {
  let shared = registry[sharedKey];
  if (!shared) {
    shared = { users: 0, started: startAndReport() };
    registry[sharedKey] = shared;
  }
  shared.users++;
  return shared.started;
}

async function release(): Promise<void> {
  const shared = registry[sharedKey];
  if (!shared || --shared.users > 0) return;
  delete registry[sharedKey];
  const started = await shared.started.catch(() => undefined);
  await started?.stop();
}

async function startAndReport(): Promise<StartedBackends> {
  const started = await startBackends();
  const { backends } = started;
  if (backends.available) {
    console.info(`[storekeeper] backends: ${backends.mode}: ${backends.description}`);
  } else {
    console.error(
      `[storekeeper] backends: ${backends.mode} is unavailable here, so suites that need ` +
        `backing services are SKIPPED: ${backends.reason}`,
    );
  }
  return started;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const { backends } = await acquire();
    project.provide(providedKey, backends);
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}
