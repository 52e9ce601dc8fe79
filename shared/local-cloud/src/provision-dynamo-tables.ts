import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type DynamoTable, declaredTables } from './declared-stores.ts';
import { pollUntil } from './poll-until.ts';

export interface ProvisionDynamoOptions {
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Defaults to every table the services declare (their manifests). */
  readonly tables?: readonly DynamoTable[];
  readonly timeoutMs?: number;
}

export interface ProvisionedTable {
  readonly tableName: string;
  /** false when the table already existed. */
  readonly created: boolean;
  /**
   * For a table that declares a time-to-live attribute: whether items now expire, or
   * whether the endpoint cannot expire them (dynalite has no UpdateTimeToLive).
   */
  readonly timeToLive?: 'enabled' | 'unsupported by this endpoint';
}

/**
 * Creates the declared DynamoDB tables, their global secondary indexes and their item expiry
 * (time to live), idempotently, on
 * any endpoint (dynalite, LocalStack, moto; `undefined` = what the SDK resolves by itself).
 * Key attributes are strings: the contracts name keys, not types, and every key we use
 * (ids, e-mail addresses, ISO timestamps) is a string.
 */
export async function provisionDynamoTables(
  endpoint: string | undefined,
  options: ProvisionDynamoOptions = {},
): Promise<ProvisionedTable[]> {
  const client = new DynamoDBClient({
    // Without timeouts a server that accepts but never answers would hang the start forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
    ...(endpoint ? { endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    // A copy: the SDK annotates the credentials object it is given.
    ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    const results: ProvisionedTable[] = [];
    for (const table of options.tables ?? declaredTables()) {
      results.push(await provisionTable(client, table, timeoutMs));
    }
    return results;
  } finally {
    client.destroy();
  }
}

async function provisionTable(
  client: DynamoDBClient,
  table: DynamoTable,
  timeoutMs: number,
): Promise<ProvisionedTable> {
  const { tableName } = table;
  let existing = await describe(client, tableName);
  let created = false;
  if (!existing) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attributeDefinitions(table),
          KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
          ...(table.globalSecondaryIndexes.length > 0
            ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes.map(toIndex) }
            : {}),
        }),
      );
      created = true;
    } catch (error) {
      // Someone else (a parallel run) created it first: fine, it is the same declaration.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitUntilActive(client, tableName, timeoutMs);
    existing = await describe(client, tableName);
  }

  // A table from an older declaration may lack an index added since. Adding one to a live
  // table is a migration (and dynalite cannot do it), so say so instead of half-working.
  const present = new Set(existing?.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName));
  const missing = table.globalSecondaryIndexes.filter((index) => !present.has(index.indexName));
  if (missing.length > 0) {
    throw new Error(
      `DynamoDB table ${tableName} exists without the declared index(es) ` +
        `${missing.map((index) => index.indexName).join(', ')}; delete the table (locally: ` +
        'start the local cloud with --fresh) or add the index with a migration',
    );
  }
  const timeToLive = await provisionTimeToLive(client, table);
  return { tableName, created, ...(timeToLive ? { timeToLive } : {}) };
}

/** Turns on the declared item expiry; a table expiring on another attribute is refused. */
async function provisionTimeToLive(
  client: DynamoDBClient,
  table: DynamoTable,
): Promise<ProvisionedTable['timeToLive']> {
  const { tableName, timeToLiveAttribute: attribute } = table;
  if (!attribute) return undefined;
  if (await expiresOn(client, tableName, attribute)) return 'enabled';
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: attribute },
      }),
    );
    return 'enabled';
  } catch (error) {
    // dynalite, the embedded backend, cannot expire items: they stay, as a laptop's data
    // does not live for weeks. LocalStack, moto and AWS can.
    if ((error as Error).name === 'UnknownOperationException') {
      return 'unsupported by this endpoint';
    }
    // A provisioning running beside this one may have turned it on first: AWS then
    // refuses to turn it on again.
    if (await expiresOn(client, tableName, attribute)) return 'enabled';
    throw error;
  }
}

/** Whether the table's items expire on `attribute`; on another one, an error naming both. */
async function expiresOn(
  client: DynamoDBClient,
  tableName: string,
  attribute: string,
): Promise<boolean> {
  const { TimeToLiveDescription: current } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  if (current?.TimeToLiveStatus === 'DISABLING') {
    // AWS refuses any change for up to an hour after the last one.
    throw new Error(
      `DynamoDB table ${tableName} is turning its time to live off; provision it again once ` +
        'that is done (up to an hour on AWS; locally: start the local cloud with --fresh)',
    );
  }
  if (current?.TimeToLiveStatus !== 'ENABLED' && current?.TimeToLiveStatus !== 'ENABLING') {
    return false;
  }
  if (current.AttributeName === attribute) return true;
  throw new Error(
    `DynamoDB table ${tableName} expires items on ${current.AttributeName}, not on the ` +
      `declared ${attribute}; turn its time to live off first (locally: start the local ` +
      'cloud with --fresh)',
  );
}

function attributeDefinitions(table: DynamoTable): AttributeDefinition[] {
  const names = new Set([table.partitionKey]);
  for (const index of table.globalSecondaryIndexes) {
    names.add(index.partitionKey);
    names.add(index.sortKey);
  }
  return [...names].map((AttributeName) => ({ AttributeName, AttributeType: 'S' }));
}

function toIndex(index: DynamoTable['globalSecondaryIndexes'][number]): GlobalSecondaryIndex {
  return {
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  };
}

async function describe(
  client: DynamoDBClient,
  tableName: string,
): Promise<DescribeTableCommandOutput | undefined> {
  try {
    return await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** ACTIVE table and ACTIVE indexes: on AWS both take a while after create/update. */
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number) {
  await pollUntil(
    async () => {
      const table = (await describe(client, tableName))?.Table;
      return (
        table?.TableStatus === 'ACTIVE' &&
        (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')
      );
    },
    { timeoutMs, intervalMs: 100, description: `DynamoDB table ${tableName} to become ACTIVE` },
  );
}
