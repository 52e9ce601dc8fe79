import { readFile } from 'node:fs/promises';

/**
 * The original of the outbox/inbox migration. Services keep an identical copy in their
 * own `migrations/` folder (readable where the service's schema is), and
 * test/outbox-migration.test.ts keeps the copies in step.
 */
export const outboxInboxMigrationUrl = new URL('../../sql/outbox-inbox.sql', import.meta.url);

export function readOutboxInboxMigration(): Promise<string> {
  return readFile(outboxInboxMigrationUrl, 'utf8');
}
