/**
 * The data stores of the system, declared once. The embedded backends, the compose
 * bootstrap, the test helpers and the CDK stacks all read this list, so a database or
 * table exists under the same name everywhere.
 */

export interface PostgresDatabase {
  /** The service that owns the database; no other service gets credentials for it. */
  readonly service: string;
  readonly database: string;
  /** The login role the service connects as; it owns its database and nothing else. */
  readonly role: string;
}

export interface DynamoTable {
  readonly service: string;
  readonly tableName: string;
  readonly partitionKey: string;
  readonly globalSecondaryIndexes: readonly {
    readonly indexName: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
}

export const postgresDatabases = [
  { service: 'user', database: 'users', role: 'storekeeper_user' },
  { service: 'order', database: 'orders', role: 'storekeeper_order' },
  { service: 'billing', database: 'billing', role: 'storekeeper_billing' },
] as const satisfies readonly PostgresDatabase[];

export const dynamoTables = [
  {
    service: 'email',
    tableName: 'email-deliveries',
    partitionKey: 'id',
    globalSecondaryIndexes: [
      { indexName: 'by-recipient', partitionKey: 'recipient', sortKey: 'createdAt' },
    ],
  },
] as const satisfies readonly DynamoTable[];

export type PostgresServiceName = (typeof postgresDatabases)[number]['service'];

export function postgresDatabaseOf(service: PostgresServiceName): PostgresDatabase {
  const found = postgresDatabases.find((db) => db.service === service);
  if (!found) throw new Error(`no PostgreSQL database is declared for service "${service}"`);
  return found;
}
