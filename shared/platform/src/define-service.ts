import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Static, TObject } from 'typebox';
import type { AwsClients } from './aws-clients.ts';
import type { ReadinessCheck } from './health.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Worker } from './worker.ts';

/** A DynamoDB table a service owns; provisioned under this name everywhere. */
export interface DynamoTableDeclaration {
  readonly tableName: string;
  /** The setting that tells the service the table's name (tests use a copy). */
  readonly setting: string;
  readonly partitionKey: string;
  readonly globalSecondaryIndexes: readonly {
    readonly indexName: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
  /**
   * The attribute (epoch seconds) after which DynamoDB deletes an item on its own: what
   * the service keeps only for a while (an inbox's claims) carries it, the rest does not.
   */
  readonly timeToLiveAttribute?: string;
}

/** The data a service owns; no other service gets credentials for it. */
export interface ServiceStores {
  /** Its own database, and the login role it connects as (the database's owner). */
  readonly postgres?: { readonly database: string; readonly role: string };
  readonly dynamodb?: readonly DynamoTableDeclaration[];
}

/** What the kit hands a service while it assembles itself. */
export interface ServiceContext<C> {
  readonly config: Readonly<C>;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  /** AWS clients with the kit's one timeout and retry policy, destroyed by the kit. */
  readonly aws: AwsClients;
  /**
   * Registers something the service opened (a pool, a client) to close at shutdown, or
   * at once if the start fails. Closed in the reverse order of registration.
   */
  closeOnShutdown(name: string, close: () => Promise<void> | void): void;
}

/** What `buildApp` gets besides the service's own deps: the workers' readiness checks. */
export interface AppContext<C> extends ServiceContext<C> {
  readonly readiness: readonly ReadinessCheck[];
}

/**
 * A service, declared once: who it is, what it owns and how it is assembled. `server.ts`
 * runs it (`runService`); the workspace's tools read it, or the manifest generated from
 * it (`service.json`), to start, provision, document and deploy the service.
 */
export interface ServiceDefinition<S extends TObject = TObject, D = unknown> {
  readonly name: string;
  readonly description: string;
  /** Validated at start-up; its PORT default is the service's port everywhere. */
  readonly configSchema: S;
  readonly stores?: ServiceStores;
  /** Services it calls over HTTP; each is found through `<NAME>_SERVICE_URL`. */
  readonly calls?: readonly string[];
  /**
   * Settings of other services that point at this one: the setting and a path here,
   * e.g. `{ JWKS_URL: '/.well-known/jwks.json' }`. Whoever starts the system sets
   * them for every service that has such a setting.
   */
  readonly provides?: Readonly<Record<string, string>>;
  /** Opens what the service needs from config; registers each resource to close. */
  createDeps(context: ServiceContext<Static<S>>): Promise<D> | D;
  /** The HTTP app, built from the deps; it never listens. */
  buildApp(deps: D, context: AppContext<Static<S>>): Promise<FastifyInstance>;
  /**
   * Background work, started after the server listens. Listed in stopping order: the
   * kit stops intake workers (consumers) first, then flush workers (the relay).
   */
  workers?(deps: D, context: ServiceContext<Static<S>>): readonly Worker[];
}

/** Declares a service; a function only so that TypeScript infers the config and deps types. */
export function defineService<S extends TObject, D>(
  definition: ServiceDefinition<S, D>,
): ServiceDefinition<S, D> {
  return definition;
}

/** The port a service listens on unless told otherwise: its config schema's PORT default. */
export function defaultPortOf(definition: ServiceDefinition): number {
  const port = (definition.configSchema.properties.PORT as { default?: unknown } | undefined)
    ?.default;
  if (typeof port !== 'number') {
    throw new Error(`the ${definition.name} service's config schema has no PORT default`);
  }
  return port;
}
