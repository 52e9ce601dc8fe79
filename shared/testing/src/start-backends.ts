import { backendsModeFrom } from './backends-mode.ts';
import { resolveExternalBackends } from './resolve-external-backends.ts';
import { startContainerBackends } from './start-container-backends.ts';
import { startEmbeddedBackends } from './start-embedded-backends.ts';
import type { StartedBackends } from './started-backends.ts';

/** Starts (or finds) the backing services `STOREKEEPER_BACKENDS` asks for. */
export function startBackends(env: NodeJS.ProcessEnv = process.env): Promise<StartedBackends> {
  switch (backendsModeFrom(env)) {
    case 'embedded':
      return startEmbeddedBackends();
    case 'external':
      return resolveExternalBackends(env);
    case 'containers':
      return startContainerBackends(env);
  }
}
