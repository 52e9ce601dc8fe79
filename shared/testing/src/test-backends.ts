import type { BackendConnection } from '@storekeeper/local-cloud';

export const backendsModes = ['embedded', 'external', 'containers'] as const;
export type BackendsMode = (typeof backendsModes)[number];

/** Backing services a test run could reach. Plain data: it crosses vitest's `provide`. */
export interface AvailableBackends {
  readonly mode: BackendsMode;
  readonly available: true;
  readonly connection: BackendConnection;
  /** One line for humans: where the backends are. */
  readonly description: string;
}

/** A mode that cannot run here (containers without a container runtime). */
export interface UnavailableBackends {
  readonly mode: BackendsMode;
  readonly available: false;
  readonly reason: string;
}

export type TestBackends = AvailableBackends | UnavailableBackends;

export const providedKey = 'storekeeperBackends';

declare module 'vitest' {
  export interface ProvidedContext {
    storekeeperBackends: TestBackends;
  }
}
