/**
 * Whether the service is still taking work. Readiness reads it; the shutdown sequence
 * flips it first, so the load balancer and the queue consumers stop sending work
 * before anything is closed.
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
