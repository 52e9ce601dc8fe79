import { readdir, readFile } from 'node:fs/promises';
import { declaredDatabases } from '@storekeeper/local-cloud';
import { describe, expect, it } from 'vitest';
import { readOutboxInboxMigration } from '../src/outbox/outbox-migration.ts';

const servicesDir = new URL('../../../services/', import.meta.url);

describe('the outbox/inbox migration of each PostgreSQL service', () => {
  it.each(declaredDatabases().map((db) => [db.service]))(
    '%s keeps an identical copy of sql/outbox-inbox.sql',
    async (service) => {
      const dir = new URL(`${service}/migrations/`, servicesDir);
      const copies = (await readdir(dir)).filter((name) => /^\d{4}_outbox-inbox\.sql$/.test(name));
      expect(copies, `services/${service}/migrations/NNNN_outbox-inbox.sql`).toHaveLength(1);
      const copy = await readFile(new URL(copies[0] as string, dir), 'utf8');
      expect(copy).toBe(await readOutboxInboxMigration());
    },
  );
});
