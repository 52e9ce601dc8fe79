import type { ReadinessCheck } from './health.ts';

/**
 * Background work a service runs beside its HTTP server: a queue consumer, the outbox
 * relay, later a scheduler. The kit starts workers only once the server listens, and
 * stops them in the order the service declares them (see runService).
 */
export interface Worker {
  readonly name: string;
  /**
   * `intake` workers take work from outside (a queue, a schedule): they stop first,
   * together with the HTTP server, and finish what they hold. `flush` workers pass on
   * what the others committed (the outbox relay): they stop last, after a final pass.
   */
  readonly role: 'intake' | 'flush';
  /** Resolves once the worker runs; a rejection fails the start of the whole service. */
  start(): Promise<void>;
  /** Stops taking work and resolves when what was in flight is done. */
  stop(): Promise<void>;
  /** Added to the service's /health/ready. */
  readonly readiness?: ReadinessCheck;
}
