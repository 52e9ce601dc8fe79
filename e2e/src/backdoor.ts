import type { ServiceName } from '@storekeeper/contracts';
import { createEventPublisher, type EventPublisher } from '@storekeeper/messaging';
import pg from 'pg';
import type { SystemUnderTest } from './start-system.ts';

/**
 * What a test may do behind the system's back, to create the situations the public API
 * cannot: read a service's database, deliver an event a second time.
 */
export async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export function publisherFor(system: SystemUnderTest, producer: ServiceName): EventPublisher {
  const topic = system.topology.topics[producer];
  if (!topic) throw new Error(`${producer} has no topic`);
  return createEventPublisher({
    sns: system.messaging.sns,
    topology: system.topology.topology,
    topicArns: { [producer]: topic.arn },
  });
}
