import { type ServiceEntry, serviceUrlSetting } from '@storekeeper/contracts/manifest';
import { awsEnv, type BackendConnection } from '../backend-connection.ts';

export interface ServiceEnvOptions {
  readonly connection: BackendConnection;
  /** Every service of the system, to find the ones it calls and what they provide. */
  readonly services: readonly ServiceEntry[];
  readonly urls: Readonly<Record<string, string>>;
  /** The service's database URL, when it owns one. */
  readonly databaseUrl?: string;
  /** A copy's name for a declared table (tests give each run its own). */
  readonly tableNames?: Readonly<Record<string, string>>;
}

/**
 * The environment one service gets from whoever runs the system, read off the manifests:
 * the AWS endpoints, its database and tables through the settings that name them, the URL
 * of each service it calls, and what other services provide (the JWKS URL) where it has
 * such a setting. Nothing here names a service.
 */
export function serviceEnv(
  entry: ServiceEntry,
  options: ServiceEnvOptions,
): Record<string, string> {
  const { manifest } = entry;
  const env = awsEnv(options.connection);
  const postgres = manifest.stores.postgres;
  if (postgres && options.databaseUrl) env[postgres.setting] = options.databaseUrl;
  for (const table of manifest.stores.dynamodb) {
    env[table.setting] = options.tableNames?.[table.tableName] ?? table.tableName;
  }
  for (const called of manifest.calls) {
    const url = options.urls[called];
    if (!url) throw new Error(`${manifest.name} calls ${called}, which is not part of the system`);
    env[serviceUrlSetting(called)] = url;
  }
  const settings = new Set(manifest.settings.map((setting) => setting.name));
  for (const provider of options.services) {
    for (const [setting, path] of Object.entries(provider.manifest.provides)) {
      const url = options.urls[provider.manifest.name];
      if (settings.has(setting) && url) env[setting] = new URL(path, url).toString();
    }
  }
  return env;
}
