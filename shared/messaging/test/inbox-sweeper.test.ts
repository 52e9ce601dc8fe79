import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { inboxRetentionMs, postgresInboxSweeper } from '../src/consumer/postgres-inbox.ts';
import { createMessagingFixture, type MessagingFixture } from './helpers/messaging-fixture.ts';

describeWithBackends('the inbox sweeper', () => {
  let fixture: MessagingFixture;

  beforeAll(async () => {
    fixture = await createMessagingFixture({ database: true });
    return () => fixture.close();
  });

  it('deletes inbox rows past their retention, batch after batch, and keeps the rest', async () => {
    const insert = (prefix: string, count: number, ageDays: number) =>
      fixture.pool.query(
        `INSERT INTO inbox (event_source, event_id, event_type, processed_at)
         SELECT 'test', $1 || n, 'order.placed', now() - make_interval(days => $3)
           FROM generate_series(1, $2) AS n`,
        [prefix, count, ageDays],
      );
    await insert('old-', 2_500, 16);
    // Well inside the 15 days a duplicate may still come in.
    await insert('kept-', 3, 14);

    const sweeper = postgresInboxSweeper(fixture.pool, fixture.logger);
    expect(await sweeper.sweepOnce()).toBe(2_500);
    const { rows } = await fixture.pool.query<{ event_id: string }>(
      'SELECT event_id FROM inbox ORDER BY event_id',
    );
    expect(rows.map((r) => r.event_id)).toEqual(['kept-1', 'kept-2', 'kept-3']);
    expect(inboxRetentionMs).toBe(15 * 24 * 60 * 60_000);
    expect(sweeper.role).toBe('intake');
  });
});
