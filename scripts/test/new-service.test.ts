import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventDefinitions } from '../../shared/contracts/src/index.ts';
import { readServiceManifests } from '../../shared/contracts/src/manifest/index.ts';
import { type NewServiceOptions, planService } from '../lib/new-service/plan-service.ts';
import { writeStandalone } from '../lib/new-service/write-standalone.ts';

const root = join(import.meta.dirname, '../..');
const workspace = {
  root,
  manifests: readServiceManifests().map((entry) => entry.manifest),
  events: new Map(eventDefinitions.map((d) => [d.type, d.producer] as [string, string])),
};
const options = (overrides: Partial<NewServiceOptions> = {}): NewServiceOptions => ({
  name: 'stock-level',
  store: 'postgres',
  publishes: ['stock-level.item-created'],
  consumes: ['order.placed'],
  ...overrides,
});
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('pnpm new-service: bad input', () => {
  it.each([
    [{ name: 'Stock' }, '"Stock" is not a service name'],
    [{ name: 'stock--level' }, 'is not a service name'],
    [{ name: 'billing' }, 'there is already a service "billing"'],
    [{ port: 3003 }, "port 3003 is billing's"],
    [{ consumes: ['order.shipped'] }, '--consumes order.shipped: no such event'],
    [{ publishes: ['order.placed'] }, 'a new event of this service is named "stock-level.'],
    [{ publishes: ['stock-level.Created'] }, 'a new event of this service is named'],
    [{ store: 'mysql' }, '--store mysql: one of postgres, dynamodb, none'],
    [{ store: 'dynamodb' }, '--store dynamodb: events need PostgreSQL'],
    [{ store: 'none', publishes: [] }, '--store none: events need PostgreSQL'],
    [{ description: 'two\nlines' }, '--description: one line'],
  ] as const)('refuses %o with a message naming what is wrong', (overrides, message) => {
    expect(() => planService(options(overrides as Partial<NewServiceOptions>), workspace)).toThrow(
      expect.objectContaining({
        name: 'NewServiceError',
        message: expect.stringContaining(message),
      }),
    );
  });

  it('exits 1 from the command line and writes nothing', () => {
    const before = readdirSync(join(root, 'services')).join();
    const result = spawnSync(
      process.execPath,
      [
        '--conditions=@storekeeper/source',
        'scripts/new-service.ts',
        'inventory',
        '--consumes',
        'nope.nope',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--consumes nope.nope: no such event');
    expect(result.stderr).toContain('Nothing was written.');
    expect(readdirSync(join(root, 'services')).join()).toBe(before);
  });
});

describe('pnpm new-service: the template keeps the house style', () => {
  const plan = planService(options(), workspace);
  const dir = plan.serviceDir;
  const paths = [...plan.files.keys()]
    .filter((p) => p.startsWith(`${dir}/`))
    .map((p) => p.slice(dir.length + 1));
  const example = 'services/billing'; // a hand-written service of the same kind

  it('has the blueprint’s folders, and tests that mirror src/', () => {
    for (const folder of [
      'src/routes/',
      'src/domain/',
      'src/adapters/',
      'src/handlers/',
      'migrations/',
    ]) {
      expect(
        paths.some((p) => p.startsWith(folder)),
        folder,
      ).toBe(true);
    }
    for (const file of [
      'src/service.ts',
      'src/server.ts',
      'src/config.ts',
      'src/app.ts',
      'src/migrate.ts',
    ]) {
      expect(paths).toContain(file);
    }
    const tests = paths.filter((p) => p.startsWith('test/') && p.endsWith('.test.ts'));
    expect(tests.length).toBeGreaterThanOrEqual(4);
    for (const test of tests) {
      const source = test.replace(/^test\//, 'src/').replace(/\.test\.ts$/, '.ts');
      expect(paths, `${test} mirrors ${source}`).toContain(source);
    }
    for (const folder of ['domain', 'routes', 'adapters', 'handlers']) {
      expect(
        tests.some((t) => t.startsWith(`test/${folder}/`)),
        `tests for src/${folder}`,
      ).toBe(true);
    }
  });

  it('names files in kebab-case after what they hold', () => {
    for (const path of paths) {
      const base = path.split('/').pop() ?? '';
      expect(base, path).toMatch(
        /^(\.env\.example|Dockerfile|README\.md|[0-9]{4}_[a-z0-9_-]+\.sql|[a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)*)$/,
      );
    }
  });

  it('has the same scripts, configs and Dockerfile as the services beside it', () => {
    const pkg = JSON.parse(plan.files.get(`${dir}/package.json`) ?? '{}');
    expect(pkg.scripts).toEqual(JSON.parse(read(`${example}/package.json`)).scripts);
    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts']) {
      expect(plan.files.get(`${dir}/${file}`), file).toBe(read(`${example}/${file}`));
    }
    // The Dockerfiles are one file but for ARG SERVICE and ARG PORT (docs/delivery.md).
    const normalize = (text: string) =>
      text
        .replace(/^ARG (SERVICE|PORT)=.*$/gm, 'ARG $1=…')
        .replace(/^# The \S+ service image\./m, '# The … service image.')
        .replaceAll(/storekeeper\/[a-z-]+ \./g, 'storekeeper/… .')
        .replaceAll(/services\/[a-z-]+\/Dockerfile/g, 'services/…/Dockerfile');
    expect(normalize(plan.files.get(`${dir}/Dockerfile`) ?? '')).toBe(
      normalize(read(`${example}/Dockerfile`)),
    );
  });

  it('quotes the description for code, whatever it holds', () => {
    const quoted = planService(options({ description: `Stock's "levels" \\ more` }), workspace);
    expect(quoted.files.get('services/stock-level/src/service.ts')).toContain(
      'description: "Stock\'s \\"levels\\" \\\\ more",',
    );
    expect(
      JSON.parse(quoted.files.get('services/stock-level/package.json') ?? '').description,
    ).toBe(`Stock's "levels" \\ more`);
  });

  it('writes a pipeline like every service’s, and touches only the workflow, compose and the contracts', () => {
    const workflow = plan.files.get('.github/workflows/stock-level.yml') ?? '';
    expect(workflow.replaceAll('stock-level', 'billing')).toBe(
      read('.github/workflows/billing.yml'),
    );
    const outside = [
      ...[...plan.files.keys()].filter((p) => !p.startsWith(`${dir}/`)),
      ...plan.edits.keys(),
    ].sort();
    expect(outside).toEqual([
      '.github/workflows/stock-level.yml',
      'docker-compose.yml',
      'shared/contracts/src/event-registry.ts',
      'shared/contracts/src/events/stock-level-events.ts',
      'shared/contracts/src/topology.ts',
    ]);
    expect(plan.edits.get('shared/contracts/src/topology.ts')).toContain(
      "'stock-level': { consumes: ['order.placed'] },",
    );
  });
});

describe('pnpm new-service --store dynamodb', () => {
  const plan = planService(options({ store: 'dynamodb', publishes: [], consumes: [] }), workspace);
  const dir = plan.serviceDir;
  const paths = [...plan.files.keys()]
    .filter((p) => p.startsWith(`${dir}/`))
    .map((p) => p.slice(dir.length + 1));
  const example = 'services/email'; // the hand-written service with a DynamoDB table

  it('owns a table instead of a database: no migrations, no SQL, tests that mirror src/', () => {
    expect(paths.filter((p) => /migrat|postgres|\.sql$/.test(p))).toEqual([]);
    expect(paths).toContain('src/adapters/dynamo-item-store.ts');
    const tests = paths.filter((p) => p.startsWith('test/') && p.endsWith('.test.ts'));
    for (const test of tests) {
      const source = test.replace(/^test\//, 'src/').replace(/\.test\.ts$/, '.ts');
      expect(paths, `${test} mirrors ${source}`).toContain(source);
    }
    expect(tests).toContain('test/adapters/dynamo-item-store.test.ts');
    const service = plan.files.get(`${dir}/src/service.ts`) ?? '';
    expect(service).toContain("setting: 'ITEMS_TABLE',");
    expect(service).not.toContain('postgres');
  });

  it('has the scripts and pipeline of the DynamoDB service beside it, and no migration job', () => {
    const pkg = JSON.parse(plan.files.get(`${dir}/package.json`) ?? '{}');
    expect(pkg.scripts).toEqual(JSON.parse(read(`${example}/package.json`)).scripts);
    expect(
      plan.files.get('.github/workflows/stock-level.yml')?.replaceAll('stock-level', 'email'),
    ).toBe(read('.github/workflows/email.yml'));
    const compose = plan.edits.get('docker-compose.yml') ?? '';
    expect(compose).not.toContain('stock-level-migrate');
    expect(compose).toContain('  stock-level:\n');
  });
});

describe('pnpm new-service --store none', () => {
  const plan = planService(options({ store: 'none', publishes: [], consumes: [] }), workspace);
  const dir = plan.serviceDir;
  const paths = [...plan.files.keys()]
    .filter((p) => p.startsWith(`${dir}/`))
    .map((p) => p.slice(dir.length + 1));

  it('owns nothing: no store port, no adapters, no migrations; tests that mirror src/', () => {
    expect(paths.filter((p) => /adapters\/|migrat|store|\.sql$/.test(p))).toEqual([]);
    const tests = paths.filter((p) => p.startsWith('test/') && p.endsWith('.test.ts'));
    expect(tests.sort()).toEqual(['test/domain/item.test.ts', 'test/routes/item-routes.test.ts']);
    const service = plan.files.get(`${dir}/src/service.ts`) ?? '';
    expect(service).not.toContain('stores:');
    expect(service).toContain('createDeps: () => ({}),');
  });

  it('starts in compose with nothing to wait for', () => {
    const compose = plan.edits.get('docker-compose.yml') ?? '';
    const entry = compose.slice(compose.indexOf('\n  stock-level:\n'));
    expect(entry.slice(0, entry.indexOf('\n\n'))).not.toContain('depends_on');
  });
});

describe('pnpm new-service --public', () => {
  const plan = planService(options({ public: true }), workspace);
  const routes = plan.edits.get('shared/contracts/src/http/public-routes.ts') ?? '';

  it('declares the example routes in the public route table, with the API in the contracts', () => {
    expect(routes).toContain("route: 'POST /api/stock-level/items',");
    expect(routes).toContain("to: { service: 'stock-level', path: '/items/:itemId' },");
    expect(routes).toContain('...stockLevelApiErrors,');
    expect(routes).toMatch(/import \{[^}]*NewStockLevelItem[^}]*\} from '.\/stock-level-api.ts';/);
    expect(plan.edits.get('shared/contracts/src/index.ts')).toContain(
      "export * from './http/stock-level-api.ts';",
    );
    const api = plan.files.get('shared/contracts/src/http/stock-level-api.ts') ?? '';
    expect(api).toContain('export const stockLevelApiErrors = {');
    // The service validates and documents with the same schemas and codes.
    expect(plan.files.get('services/stock-level/src/routes/item-routes.ts')).toMatch(
      /import \{[^}]*NewStockLevelItem[^}]*\} from '@storekeeper\/contracts';/,
    );
    expect(plan.files.get('services/stock-level/src/errors.ts')).toContain(
      'defineErrors(stockLevelApiErrors)',
    );
  });

  it('has the gateway call the service in compose, and nothing else of the gateway changes', () => {
    const compose = plan.edits.get('docker-compose.yml') ?? '';
    const gateway = compose.slice(compose.indexOf('\n  gateway:\n'));
    const entry = gateway.slice(0, gateway.indexOf('\n\n'));
    expect(entry).toContain('      STOCK_LEVEL_SERVICE_URL: http://stock-level:3005\n');
    expect(entry.endsWith('      stock-level: { condition: service_healthy }')).toBe(true);
    const outside = [
      ...[...plan.files.keys()].filter((p) => !p.startsWith('services/stock-level/')),
      ...plan.edits.keys(),
    ];
    expect(outside.filter((p) => p.startsWith('services/'))).toEqual([]);
  });

  it('keeps the schemas in the service when the routes are not public', () => {
    const internal = planService(options(), workspace);
    expect(internal.edits.has('shared/contracts/src/http/public-routes.ts')).toBe(false);
    expect(internal.files.get('services/stock-level/src/routes/item-routes.ts')).toContain(
      'const NewStockLevelItem = Type.Object(',
    );
  });
});

describe('pnpm new-service --standalone: bad input', () => {
  it('refuses a folder inside this repository, and a folder that is not empty', () => {
    const args = ['stock', '--store', 'postgres'];
    expect(() => writeStandalone(root, join(root, 'tmp/standalone'), args)).toThrow(
      'choose a folder outside this repository',
    );
    const full = mkdtempSync(join(tmpdir(), 'standalone-'));
    writeFileSync(join(full, 'keep.txt'), 'mine');
    expect(() => writeStandalone(root, full, args)).toThrow('the folder is not empty');
    expect(readdirSync(full)).toEqual(['keep.txt']);
  });

  it('refuses --public: a standalone service has no gateway in front of it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'standalone-'));
    const result = spawnSync(
      process.execPath,
      ['--conditions=@storekeeper/source', 'scripts/new-service.ts', 'stock', '--public'].concat([
        '--standalone',
        empty,
      ]),
      { cwd: root, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('a standalone service has none. Nothing was written.');
    expect(readdirSync(empty)).toEqual([]);
  });
});
