import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TObject } from 'typebox';
import { consumerDeclarations, producers } from '../../shared/contracts/src/index.ts';
import {
  type ServiceManifest,
  type ServiceSetting,
  serviceUrlSetting,
} from '../../shared/contracts/src/manifest/index.ts';
import { defaultPortOf, type ServiceDefinition } from '../../shared/platform/src/index.ts';

interface Property {
  readonly default?: string | number | boolean;
  readonly description?: string;
  readonly secret?: boolean;
  readonly '~optional'?: boolean;
}

const source = '--conditions=@storekeeper/source';

/**
 * A TypeScript service's manifest: what its definition declares, what the contracts say
 * it publishes and consumes, and the settings of its config schema. Refuses a definition
 * that contradicts itself (a called service without its URL setting, a store without
 * the setting that names it).
 */
export function renderManifest(definition: ServiceDefinition, dir: string): ServiceManifest {
  const settings = settingsOf(definition.configSchema);
  const names = new Set(settings.map((s) => s.name));
  const problems: string[] = [];
  for (const called of definition.calls ?? []) {
    if (!names.has(serviceUrlSetting(called))) {
      problems.push(`it calls ${called} but has no ${serviceUrlSetting(called)} setting`);
    }
  }
  const postgres = definition.stores?.postgres;
  if (postgres && !names.has('DATABASE_URL'))
    problems.push('it owns a database but has no DATABASE_URL');
  for (const table of definition.stores?.dynamodb ?? []) {
    if (!names.has(table.setting))
      problems.push(`table ${table.tableName}: no ${table.setting} setting`);
  }
  const migrates = existsSync(join(dir, 'src/migrate.ts'));
  if (postgres && !migrates) problems.push('it owns a database but has no src/migrate.ts');
  if (problems.length > 0) {
    throw new Error(`the ${definition.name} service's definition: ${problems.join('; ')}`);
  }

  const consumed = (consumerDeclarations as Record<string, { consumes: readonly string[] }>)[
    definition.name
  ];
  return {
    name: definition.name,
    description: definition.description,
    port: defaultPortOf(definition),
    run: {
      dev: ['node', source, 'src/server.ts'],
      // The bundle `pnpm build` makes after tsc (scripts/bundle-service.ts, ADR 0050).
      start: ['node', 'dist/bundle/server.js'],
      ...(migrates
        ? {
            migrate: {
              dev: ['node', source, 'src/migrate.ts'],
              start: ['node', 'dist/migrate.js'],
            },
          }
        : {}),
    },
    health: { live: '/health/live', ready: '/health/ready' },
    stores: {
      ...(postgres ? { postgres: { ...postgres, setting: 'DATABASE_URL' } } : {}),
      dynamodb: (definition.stores?.dynamodb ?? []).map((table) => ({
        ...table,
        globalSecondaryIndexes: [...table.globalSecondaryIndexes],
      })),
    },
    publishes: [...(producers().get(definition.name) ?? [])],
    consumes: [...(consumed?.consumes ?? [])],
    calls: [...(definition.calls ?? [])],
    provides: { ...definition.provides },
    settings,
  };
}

export function settingsOf(schema: TObject): ServiceSetting[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties as Record<string, Property>).map(([name, p]) => ({
    name,
    required: required.has(name) && p.default === undefined,
    secret: p.secret === true,
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.description ? { description: p.description } : {}),
  }));
}
