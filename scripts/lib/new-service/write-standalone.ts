import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { NewServiceError } from './plan-service.ts';
import { render } from './render-template.ts';

/**
 * What a standalone repository takes from this one: the kit, the scripts that run and
 * document a service, the generator and its templates, the pipeline of a service. Not the
 * other services, the end-to-end tests, the infrastructure or the kit's own tests.
 */
const copied = [
  'tsconfig.base.json',
  'biome.json',
  '.gitignore',
  '.npmrc',
  '.dockerignore',
  'shared/contracts',
  'shared/platform',
  'shared/messaging',
  'shared/testing',
  'shared/local-cloud',
  'scripts/bundle-service.ts',
  'scripts/start.ts',
  'scripts/start',
  'scripts/trace.ts',
  'scripts/generate-manifests.ts',
  'scripts/generate-openapi.ts',
  'scripts/generate-config-docs.ts',
  'scripts/new-service.ts',
  'scripts/lib',
  'scripts/tsconfig.json',
  'templates',
  '.github/actions',
  '.github/workflows/_service.yml',
  '.github/workflows/_deploy.yml',
  'deploy/aws',
];
/** Never copied: installs, builds and local data. */
const skipped = new Set(['node_modules', 'dist', 'coverage', '.local']);
/** Also left out of the kit: its own tests and benchmarks (they stay upstream). */
const skippedInKit = new Set([...skipped, 'test', 'bench', 'vitest.config.ts']);

/**
 * `pnpm new-service <name> --standalone <dir>`: a repository of its own for one new
 * service. It copies the workspace's skeleton into `dir`, installs it (its own lockfile),
 * and runs the generator there, so the service is rendered exactly as in the workspace.
 */
export function writeStandalone(root: string, dir: string, generatorArgs: readonly string[]): void {
  const target = resolve(dir);
  const fromRoot = relative(root, target);
  if (!fromRoot.startsWith('..')) {
    throw new NewServiceError(`--standalone ${dir}: choose a folder outside this repository`);
  }
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new NewServiceError(`--standalone ${dir}: the folder is not empty`);
  }
  for (const path of copied) {
    const leftOut = path.startsWith('shared/') ? skippedInKit : skipped;
    cpSync(join(root, path), join(target, path), {
      recursive: true,
      filter: (source) => !leftOut.has(basename(source)),
    });
  }
  mkdirSync(join(target, 'services'), { recursive: true });
  mkdirSync(join(target, 'docs'), { recursive: true });

  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const keep = ['build', 'typecheck', 'lint', 'format', 'test', 'start', 'trace', 'new-service'];
  pkg.name = generatorArgs[0];
  pkg.scripts = Object.fromEntries(
    Object.entries(pkg.scripts as Record<string, string>)
      .filter(([script]) => keep.includes(script) || script.startsWith('docs:'))
      .map(([script, command]) => [script, command.replace(' && tsc -p scripts', '')]),
  );
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const workspaceFile = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')
    .replace(/^ {2}- infra\n/m, '')
    .replace(/^ {2}- e2e\n/m, '');
  writeFileSync(join(target, 'pnpm-workspace.yaml'), workspaceFile);
  writeFileSync(
    join(target, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';\n\n// Every service's tests, one run (the kit is vendored: its own tests stay upstream).\nexport default defineConfig({ test: { projects: ['services/*/vitest.config.ts'] } });\n`,
  );

  const run = (args: string[]) =>
    execFileSync(args[0] as string, args.slice(1), { cwd: target, stdio: 'inherit' });
  run(['pnpm', 'install', '--prefer-offline', '--no-frozen-lockfile', '--reporter=silent']);
  run([
    join(target, 'node_modules/node/bin/node'),
    '--conditions=@storekeeper/source',
    'scripts/new-service.ts',
    ...generatorArgs,
  ]);

  const manifest = JSON.parse(
    readFileSync(join(target, 'services', generatorArgs[0] as string, 'service.json'), 'utf8'),
  );
  writeFileSync(
    join(target, 'README.md'),
    render(readFileSync(join(root, 'templates/standalone/README.md.tmpl'), 'utf8'), {
      name: manifest.name,
      description: manifest.description,
      port: manifest.port,
      messaging: manifest.publishes.length + manifest.consumes.length > 0,
    }),
  );
}
