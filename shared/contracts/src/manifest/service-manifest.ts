import { type Static, Type } from 'typebox';

/**
 * What the workspace's tools know about a service, as plain data: `services/<name>/service.json`.
 * `pnpm start`, the end-to-end system, local-cloud provisioning, the compose bootstrap
 * (and later the infrastructure) read it, never the service's code, so a service written in another
 * language joins by writing this file. A TypeScript service's manifest is generated
 * from its definition (`src/service.ts`) by `pnpm docs:manifests`; CI fails on drift.
 */

const Command = Type.Array(Type.String({ minLength: 1 }), {
  minItems: 1,
  description: 'argv, run in the service folder; a leading "node" means the workspace Node',
});

const DynamoTable = Type.Object(
  {
    tableName: Type.String({ pattern: '^[A-Za-z0-9_.-]{3,255}$' }),
    setting: Type.String({ description: 'The setting that names the table' }),
    partitionKey: Type.String(),
    globalSecondaryIndexes: Type.Array(
      Type.Object(
        { indexName: Type.String(), partitionKey: Type.String(), sortKey: Type.String() },
        { additionalProperties: false },
      ),
    ),
    timeToLiveAttribute: Type.Optional(
      Type.String({ description: 'Items past this attribute (epoch seconds) expire' }),
    ),
  },
  { additionalProperties: false },
);

const Setting = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
    required: Type.Boolean({ description: 'No default: the environment must provide it' }),
    secret: Type.Boolean({ description: 'Never logged; on ECS it comes from SSM' }),
    default: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ServiceManifestSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9-]{1,30}$' }),
    description: Type.String(),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    run: Type.Object(
      {
        dev: Command,
        start: Command,
        migrate: Type.Optional(Type.Object({ dev: Command, start: Command })),
      },
      { additionalProperties: false },
    ),
    health: Type.Object({ live: Type.String(), ready: Type.String() }),
    stores: Type.Object(
      {
        postgres: Type.Optional(
          Type.Object(
            {
              database: Type.String({ pattern: '^[a-z_][a-z0-9_]*$' }),
              role: Type.String({ pattern: '^[a-z_][a-z0-9_]*$' }),
              setting: Type.String({ description: 'The setting that holds its URL' }),
            },
            { additionalProperties: false },
          ),
        ),
        dynamodb: Type.Array(DynamoTable),
      },
      { additionalProperties: false },
    ),
    publishes: Type.Array(Type.String(), { description: 'Event types, on its own topic' }),
    consumes: Type.Array(Type.String(), { description: 'Event types its queue receives' }),
    calls: Type.Array(Type.String(), {
      description: 'Services it calls over HTTP, each through <NAME>_SERVICE_URL',
    }),
    provides: Type.Record(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }), Type.String(), {
      description:
        'Settings of other services that point here: the setting and a path on this service',
    }),
    settings: Type.Array(Setting),
  },
  { additionalProperties: false },
);

export type ServiceManifest = Static<typeof ServiceManifestSchema>;
export type ServiceSetting = Static<typeof Setting>;
export type DynamoTableManifest = Static<typeof DynamoTable>;

/** The variable through which a service finds another: `USER_SERVICE_URL`. */
export function serviceUrlSetting(service: string): `${string}_SERVICE_URL` {
  return `${service.toUpperCase().replaceAll('-', '_')}_SERVICE_URL`;
}
