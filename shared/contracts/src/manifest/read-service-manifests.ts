import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Value from 'typebox/value';
import { type ServiceManifest, ServiceManifestSchema } from './service-manifest.ts';

/** A service as the tools see it: its manifest and the folder it lives in. */
export interface ServiceEntry {
  readonly manifest: ServiceManifest;
  readonly dir: string;
}

/** The workspace's `services/` folder, wherever this module is run from (source or dist). */
export const servicesDir = fileURLToPath(new URL('../../../../services/', import.meta.url));

/**
 * Every service of the workspace: each folder under `services/` with a `service.json`,
 * validated, sorted by name. A manifest that is not valid stops here with its path and
 * what is wrong, as does a name or port that two services claim.
 */
export function readServiceManifests(dir: string = servicesDir): ServiceEntry[] {
  const entries: ServiceEntry[] = [];
  for (const folder of readdirSync(dir).sort()) {
    const path = join(dir, folder, 'service.json');
    if (!existsSync(path)) continue;
    const manifest = parseManifest(path, JSON.parse(readFileSync(path, 'utf8')));
    if (manifest.name !== folder) {
      throw new Error(`${path}: the name "${manifest.name}" differs from its folder "${folder}"`);
    }
    entries.push({ manifest, dir: join(dir, folder) });
  }
  for (const [index, { manifest }] of entries.entries()) {
    const clash = entries.slice(0, index).find((e) => e.manifest.port === manifest.port);
    if (clash) {
      throw new Error(`${manifest.name} and ${clash.manifest.name} both use port ${manifest.port}`);
    }
  }
  return entries;
}

export function parseManifest(source: string, value: unknown): ServiceManifest {
  const errors = [...Value.Errors(ServiceManifestSchema, value)];
  if (errors.length > 0) {
    const problems = errors.map((e) => `  - ${e.instancePath || '/'}: ${e.message}`).join('\n');
    throw new Error(`${source} is not a valid service manifest:\n${problems}`);
  }
  return value as ServiceManifest;
}

/** One service by name, or an error naming the ones there are. */
export function serviceManifestOf(name: string, dir: string = servicesDir): ServiceEntry {
  const all = readServiceManifests(dir);
  const found = all.find((entry) => entry.manifest.name === name);
  if (!found) {
    throw new Error(
      `no service "${name}" (there are: ${all.map((e) => e.manifest.name).join(', ')})`,
    );
  }
  return found;
}
