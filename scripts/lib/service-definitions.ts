/**
 * The TypeScript services' definitions (`services/<name>/src/service.ts`), for the tools
 * that need code rather than data: the manifest, OpenAPI and configuration generators.
 * Everything else reads the manifests (`service.json`), which these generate.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServiceDefinition } from '../../shared/platform/src/index.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface LoadedDefinition {
  readonly definition: ServiceDefinition;
  /** The service's folder, e.g. `/…/services/user`. */
  readonly dir: string;
}

export async function loadServiceDefinitions(
  servicesDir = join(root, 'services'),
): Promise<LoadedDefinition[]> {
  const loaded: LoadedDefinition[] = [];
  for (const folder of readdirSync(servicesDir).sort()) {
    const file = join(servicesDir, folder, 'src/service.ts');
    if (!existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as { service?: ServiceDefinition };
    if (!module.service) throw new Error(`${file} exports no \`service\` definition`);
    if (module.service.name !== folder) {
      throw new Error(`${file} defines "${module.service.name}", but its folder is "${folder}"`);
    }
    loaded.push({ definition: module.service, dir: join(servicesDir, folder) });
  }
  return loaded;
}
