/**
 * Writes each TypeScript service's manifest (services/<name>/service.json) from its
 * definition: the plain data that `pnpm start`, the e2e system, provisioning, compose
 * read (and later the infrastructure). `pnpm docs:manifests` writes them; CI fails on a diff.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderManifest } from './lib/render-manifest.ts';
import { loadServiceDefinitions } from './lib/service-definitions.ts';

for (const { definition, dir } of await loadServiceDefinitions()) {
  const manifest = renderManifest(definition, dir);
  await writeFile(join(dir, 'service.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
