/**
 * Whether the service is still taking work. Readiness reads it; the shutdown sequence
 * flips it first, so the load balancer stops sending requests before anything is
 * closed (the kit stops the workers itself, see runService).
 */
export interface Lifecycle {
  readonly shuttingDown: boolean;
  beginShutdown(): void;
}

export function createLifecycle(): Lifecycle {
  let shuttingDown = false;
  return {
    get shuttingDown() {
      return shuttingDown;
    },
    beginShutdown() {
      shuttingDown = true;
    },
  };
}
