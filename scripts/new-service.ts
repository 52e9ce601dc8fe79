/**
 * `pnpm new-service <name>`: a new service from the template (templates/), in the
 * blueprint's shape, registered where the workspace needs it and nowhere else. See
 * docs/new-service.md.
 *
 *   pnpm new-service inventory --description "Stock per product" \
 *     --consumes order.placed --publishes inventory.item-created --public
 *
 * Bad input (an invalid or taken name, an unknown event, a port in use) is refused with a
 * message, and nothing is written.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { eventDefinitions } from '../shared/contracts/src/index.ts';
import { readServiceManifests } from '../shared/contracts/src/manifest/index.ts';
import { NewServiceError, planService } from './lib/new-service/plan-service.ts';
import { writeStandalone } from './lib/new-service/write-standalone.ts';

const usage = `usage: pnpm new-service <name> [--description <text>] [--port <n>]
                        [--store postgres|dynamodb|none] [--publishes <name>.<event>]... [--consumes <event>]...
                        [--public] [--dry-run] [--standalone <dir>]`;

const root = join(import.meta.dirname, '..');

function main(): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length !== 1) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const [name = ''] = positionals;
  let plan: ReturnType<typeof planService>;
  try {
    plan = planService(
      {
        name,
        description: values.description,
        port: values.port === undefined ? undefined : Number(values.port),
        store: values.store ?? 'postgres',
        publishes: values.publishes ?? [],
        consumes: values.consumes ?? [],
        public: values.public,
      },
      {
        root,
        manifests: readServiceManifests().map((entry) => entry.manifest),
        events: new Map(eventDefinitions.map((d) => [d.type, d.producer])),
      },
    );
  } catch (error) {
    if (!(error instanceof NewServiceError)) throw error;
    console.error(`new-service: ${error.message}. Nothing was written.`);
    return 1;
  }

  if (values.standalone && values.public) {
    console.error(
      "new-service: --public declares routes to this repository's gateway; a standalone service has none. Nothing was written.",
    );
    return 1;
  }
  if (values.standalone) {
    // Checked against this workspace above; rendered in the copy by the copy's generator.
    const args = [name, '--store', values.store ?? 'postgres', '--port', String(plan.view.port)];
    if (values.description) args.push('--description', values.description);
    for (const type of values.consumes ?? []) args.push('--consumes', type);
    for (const type of values.publishes ?? []) args.push('--publishes', type);
    try {
      writeStandalone(root, values.standalone, args);
    } catch (error) {
      if (!(error instanceof NewServiceError)) throw error;
      console.error(`new-service: ${error.message}. Nothing was written.`);
      return 1;
    }
    console.info(`new-service: a standalone repository in ${values.standalone}`);
    console.info(`next: cd ${values.standalone} && pnpm test`);
    return 0;
  }

  const outside = [...plan.files.keys()].filter((p) => !p.startsWith(`${plan.serviceDir}/`));
  if (values['dry-run']) {
    for (const path of [...plan.files.keys(), ...plan.edits.keys()]) console.info(path);
    return 0;
  }
  for (const [path, content] of [...plan.files, ...plan.edits]) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  // What is derived from the new code: the lockfile's link, the manifest, the OpenAPI
  // document, the configuration reference, the AsyncAPI document; then the formatter.
  const run = (command: string, args: string[]) => {
    try {
      execFileSync(command, args, { cwd: root, stdio: 'pipe', encoding: 'utf8' });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      console.error(
        `new-service: \`${command} ${args.join(' ')}\` failed after the files were written:`,
      );
      console.error(`${stdout ?? ''}${stderr ?? ''}`.trim());
      throw new Error('new-service stopped; `git status` shows what it wrote');
    }
  };
  // The new package changes the lockfile: not frozen, even where CI=true makes it the default.
  run('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile']);
  run('pnpm', ['--silent', 'docs:manifests']);
  run('pnpm', ['--silent', 'docs:openapi']);
  run('pnpm', ['--silent', 'docs:config']);
  if (plan.view.hasPublishes)
    run('pnpm', ['--silent', '--filter', '@storekeeper/contracts', 'generate']);
  run('pnpm', [
    'exec',
    'biome',
    'check',
    '--write',
    plan.serviceDir,
    ...outside,
    ...plan.edits.keys(),
  ]);

  console.info(
    `new-service: ${plan.serviceDir} (port ${plan.view.port}), ${plan.files.size - outside.length} files`,
  );
  console.info('outside the service folder:');
  for (const path of outside) console.info(`  + ${path}`);
  for (const path of plan.edits.keys()) console.info(`  ~ ${path}`);
  console.info(
    `next: pnpm --filter @storekeeper/${name} test, then pnpm start (docs/new-service.md)`,
  );
  return 0;
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      description: { type: 'string' },
      port: { type: 'string' },
      store: { type: 'string' },
      publishes: { type: 'string', multiple: true },
      consumes: { type: 'string', multiple: true },
      public: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      standalone: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

process.exitCode = main();
