import { readServiceManifests, type ServiceEntry } from '@storekeeper/contracts/manifest';

/** A service's own database and the role it connects as (from its manifest). */
export interface PostgresDatabase {
  readonly service: string;
  readonly database: string;
  readonly role: string;
}

export interface DynamoTable {
  readonly tableName: string;
  readonly partitionKey: string;
  readonly globalSecondaryIndexes: readonly {
    readonly indexName: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
  /** Items past this attribute's time (epoch seconds) are deleted by DynamoDB. */
  readonly timeToLiveAttribute?: string;
}

/**
 * The databases the services declare, each in its definition: what `pnpm start`, the
 * compose bootstrap and the tests provision, so a database exists under the same name
 * everywhere.
 */
export function declaredDatabases(
  services: readonly ServiceEntry[] = readServiceManifests(),
): PostgresDatabase[] {
  return services.flatMap(({ manifest }) => {
    const postgres = manifest.stores.postgres;
    return postgres
      ? [{ service: manifest.name, database: postgres.database, role: postgres.role }]
      : [];
  });
}

/** The DynamoDB tables the services declare. */
export function declaredTables(
  services: readonly ServiceEntry[] = readServiceManifests(),
): (DynamoTable & { readonly service: string })[] {
  return services.flatMap(({ manifest }) =>
    manifest.stores.dynamodb.map((table) => ({ ...table, service: manifest.name })),
  );
}
