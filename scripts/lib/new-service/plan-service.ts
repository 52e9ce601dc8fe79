import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceManifest } from '../../../shared/contracts/src/manifest/index.ts';
import { render, renderFolder } from './render-template.ts';

export interface NewServiceOptions {
  readonly name: string;
  readonly description?: string | undefined;
  readonly port?: number | undefined;
  readonly store: string;
  readonly publishes: readonly string[];
  readonly consumes: readonly string[];
  /** Its example routes in the public API: the gateway forwards `/api/<name>/items…`. */
  readonly public?: boolean | undefined;
}

/** What the generator reads of the workspace, passed in so the plan is a pure function. */
export interface Workspace {
  readonly root: string;
  readonly manifests: readonly ServiceManifest[];
  /** Event type → producing service, for every event of the contracts' registry. */
  readonly events: ReadonlyMap<string, string>;
}

/** Bad input: the message says what and how to fix it; nothing has been written. */
export class NewServiceError extends Error {
  override readonly name = 'NewServiceError';
}

export interface ServicePlan {
  readonly serviceDir: string;
  /** New files, by path from the repository root. */
  readonly files: ReadonlyMap<string, string>;
  /** Existing files outside the service folder, with their new content. */
  readonly edits: ReadonlyMap<string, string>;
  readonly view: Record<string, unknown>;
}

/** What the service owns: its own PostgreSQL database, its own DynamoDB table, or nothing. */
const STORES = ['postgres', 'dynamodb', 'none'];
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const EVENT = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/;
const pascal = (value: string) =>
  value
    .split(/[-.]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
const camel = (value: string) => {
  const p = pascal(value);
  return p.charAt(0).toLowerCase() + p.slice(1);
};

/**
 * Everything `pnpm new-service` will write, checked before anything is: a name that is a
 * valid service name and not taken, a free port, events that exist (consumed) or are new
 * and the service's own (published), a store the template has. Throws NewServiceError.
 */
export function planService(options: NewServiceOptions, workspace: Workspace): ServicePlan {
  const { name } = options;
  if (!NAME.test(name) || name.length < 2 || name.length > 31) {
    throw new NewServiceError(
      `"${name}" is not a service name: 2–31 lowercase letters, digits and single hyphens, starting with a letter`,
    );
  }
  const serviceDir = `services/${name}`;
  if (
    workspace.manifests.some((m) => m.name === name) ||
    existsSync(join(workspace.root, serviceDir))
  ) {
    throw new NewServiceError(`there is already a service "${name}" (${serviceDir})`);
  }
  if (!STORES.includes(options.store)) {
    throw new NewServiceError(`--store ${options.store}: one of ${STORES.join(', ')}`);
  }
  if (options.store !== 'postgres' && options.publishes.length + options.consumes.length > 0) {
    throw new NewServiceError(
      `--store ${options.store}: events need PostgreSQL (the outbox and the inbox are tables in the service's database): use --store postgres`,
    );
  }

  const description = options.description ?? `The ${name} service`;
  if (!/^[^\n\r`]{1,200}$/.test(description) || description.includes('*/')) {
    throw new NewServiceError('--description: one line of up to 200 characters, without ` or */');
  }

  const port = options.port ?? nextPort(workspace.manifests);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new NewServiceError(`--port ${options.port}: a port from 1024 to 65535`);
  }
  const clash = workspace.manifests.find((m) => m.port === port);
  if (clash) throw new NewServiceError(`port ${port} is ${clash.name}'s: pick another with --port`);

  for (const type of options.consumes) {
    const producer = workspace.events.get(type);
    if (!producer) {
      throw new NewServiceError(
        `--consumes ${type}: no such event; the registry has ${[...workspace.events.keys()].join(', ')}`,
      );
    }
  }
  for (const type of options.publishes) {
    if (!EVENT.test(type) || !type.startsWith(`${name}.`)) {
      throw new NewServiceError(
        `--publishes ${type}: a new event of this service is named "${name}.<what-happened>", e.g. ${name}.item-created`,
      );
    }
    if (workspace.events.has(type)) {
      throw new NewServiceError(
        `--publishes ${type}: that event exists (published by ${workspace.events.get(type)})`,
      );
    }
    if (options.consumes.includes(type)) {
      throw new NewServiceError(`${type} is both published and consumed by ${name}`);
    }
  }

  const snake = name.replaceAll('-', '_');
  const publishes = options.publishes.map((type) => ({ type, constName: camel(type) }));
  const consumes = options.consumes.map((type) => {
    const fileName = type.replaceAll('.', '-');
    return {
      type,
      fileName,
      handlerName: `handle${pascal(fileName)}`,
      producer: workspace.events.get(type),
    };
  });
  const view = {
    name,
    Name: pascal(name),
    camelName: camel(name),
    NAME: snake.toUpperCase(),
    snake,
    database: snake,
    role: `storekeeper_${snake}`,
    port,
    description,
    // Quoted for code: a description may hold quotes (JSON is valid TypeScript too).
    descriptionLiteral: JSON.stringify(description),
    summary: options.description ? `The ${name} service: ${description}` : description,
    publishes,
    consumes,
    firstPublished: publishes[0],
    hasPublishes: publishes.length > 0,
    hasConsumes: consumes.length > 0,
    messaging: publishes.length + consumes.length > 0,
    public: options.public === true,
    postgres: options.store === 'postgres',
    dynamodb: options.store === 'dynamodb',
    stateless: options.store === 'none',
  };

  const files = new Map<string, string>();
  const templates = join(workspace.root, 'templates');
  for (const [path, content] of renderFolder(join(templates, 'service'), view)) {
    files.set(`${serviceDir}/${path}`, content);
  }
  if (view.messaging) {
    // The outbox and inbox tables, an identical copy (a test in shared/messaging checks it).
    files.set(
      `${serviceDir}/migrations/0002_outbox-inbox.sql`,
      readFileSync(join(workspace.root, 'shared/messaging/sql/outbox-inbox.sql'), 'utf8'),
    );
  }
  const outside = (template: string) =>
    render(readFileSync(join(templates, 'outside', template), 'utf8'), view);
  files.set(`.github/workflows/${name}.yml`, outside('workflow.yml.tmpl'));

  const edits = new Map<string, string>();
  const edit = (path: string, change: (text: string) => string) =>
    edits.set(path, change(readFileSync(join(workspace.root, path), 'utf8')));
  // A standalone copy has no compose file (yet): nothing to add there.
  if (existsSync(join(workspace.root, 'docker-compose.yml')))
    edit('docker-compose.yml', (text) => {
      const withService = insertBefore(
        text,
        '  # ---- tracing (profile)',
        outside('compose-entry.yml.tmpl'),
        'docker-compose.yml',
      );
      return view.public ? composeGatewayCalls(withService, view) : withService;
    });
  if (view.public) declarePublic(view, { files, edit, outside });
  if (view.hasPublishes) {
    files.set(`shared/contracts/src/events/${name}-events.ts`, outside('events.ts.tmpl'));
    edit('shared/contracts/src/event-registry.ts', (text) => {
      const names = publishes.map((p) => p.constName);
      const withImport = insertBefore(
        text,
        "import type { ServiceName } from './services.ts';",
        `import { ${names.join(', ')} } from './events/${name}-events.ts';\n`,
        'the registry',
      );
      return insertBefore(
        withImport,
        '] as const;',
        names.map((n) => `  ${n},\n`).join(''),
        'the registry',
      );
    });
  }
  if (view.hasConsumes) {
    edit('shared/contracts/src/topology.ts', (text) =>
      insertBefore(
        text,
        '} as const satisfies Partial<Record<ServiceName, ConsumerDeclaration>>;',
        `  ${name.includes('-') ? `'${name}'` : name}: { consumes: [${options.consumes.map((t) => `'${t}'`).join(', ')}] },\n`,
        'the topology',
      ),
    );
  }
  for (const path of files.keys()) {
    if (existsSync(join(workspace.root, path))) throw new NewServiceError(`${path} exists already`);
  }
  return { serviceDir, files, edits, view };
}

/**
 * The service's API in the contracts and its routes in the public route table, which the
 * gateway forwards (its clients, `calls` and URL settings follow from the table); the
 * service's URL and health in the gateway's compose entry.
 */
function declarePublic(
  view: { name: string; Name: string; camelName: string; stateless: boolean },
  {
    files,
    edit,
    outside,
  }: {
    files: Map<string, string>;
    edit: (path: string, change: (text: string) => string) => void;
    outside: (template: string) => string;
  },
): void {
  const { name } = view;
  const api = `./http/${name}-api.ts`;
  files.set(`shared/contracts/src/http/${name}-api.ts`, outside('api.ts.tmpl'));
  edit('shared/contracts/src/index.ts', (text) =>
    insertBefore(
      text,
      "export * from './http/public-routes.ts';",
      `export * from '${api}';\n`,
      'the contracts index',
    ),
  );
  edit('shared/contracts/src/http/public-routes.ts', (text) => {
    const schemas = view.stateless
      ? [`${view.Name}ItemName`, `New${view.Name}Item`]
      : [`${view.Name}Item`, `${view.Name}ItemParams`, `New${view.Name}Item`];
    const names = [...schemas, `${view.camelName}ApiErrors`];
    let next = insertBefore(
      text,
      '// pnpm new-service: imports',
      `import { ${names.join(', ')} } from './${name}-api.ts';\n`,
      'the public routes',
    );
    next = insertBefore(
      next,
      '  // pnpm new-service: errors',
      `  ...${view.camelName}ApiErrors,\n`,
      'the public routes',
    );
    return insertBefore(
      next,
      '  // pnpm new-service: routes',
      outside('public-routes.ts.tmpl'),
      'the public routes',
    );
  });
}

/** The gateway's compose entry calls the service and waits for it to be healthy. */
function composeGatewayCalls(text: string, view: { name: string; NAME: string; port: number }) {
  const gateway = text.indexOf('\n  gateway:\n');
  const end = text.indexOf('\n\n', gateway);
  if (gateway < 0 || end < 0) {
    throw new NewServiceError('cannot find the gateway entry in docker-compose.yml');
  }
  const entry = text.slice(gateway, end);
  const lastUrl = entry.lastIndexOf('_SERVICE_URL: ');
  if (
    lastUrl < 0 ||
    !/\n {4}depends_on:\n( {6}[\w-]+: \{ condition: service_healthy \}\n?)+$/.test(entry)
  ) {
    throw new NewServiceError(
      "cannot find the gateway's service URLs and depends_on in docker-compose.yml",
    );
  }
  const afterUrl = entry.indexOf('\n', lastUrl) + 1;
  const withUrl = `${entry.slice(0, afterUrl)}      ${view.NAME}_SERVICE_URL: http://${view.name}:${view.port}\n${entry.slice(afterUrl)}`;
  const withHealth = `${withUrl}\n      ${view.name}: { condition: service_healthy }`;
  return text.slice(0, gateway) + withHealth + text.slice(end);
}

/** One above the highest service port below 8000 (the gateway's 8080 is the edge's). */
function nextPort(manifests: readonly ServiceManifest[]): number {
  const ports = manifests.map((m) => m.port).filter((p) => p < 8000);
  return Math.max(3000, ...ports) + 1;
}

function insertBefore(text: string, anchor: string, insertion: string, where: string): string {
  const at = text.indexOf(anchor);
  if (at < 0)
    throw new NewServiceError(`cannot find where to add the service in ${where} ("${anchor}")`);
  return text.slice(0, at) + insertion + text.slice(at);
}
