import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumerNames, producers } from '../../shared/contracts/src/index.ts';
import { readServiceManifests } from '../../shared/contracts/src/manifest/index.ts';
import { renderManifest } from '../lib/render-manifest.ts';
import { loadServiceDefinitions } from '../lib/service-definitions.ts';

const definitions = await loadServiceDefinitions();
const manifests = readServiceManifests();

describe('service definitions and manifests', () => {
  it('finds every service folder with a definition, and a manifest for each', () => {
    expect(definitions.map((d) => d.definition.name)).toEqual(
      manifests.map((m) => m.manifest.name),
    );
    expect(definitions.length).toBeGreaterThanOrEqual(5);
  });

  it.each(definitions.map((d) => [d.definition.name, d] as const))(
    '%s: the committed service.json is what its definition renders (pnpm docs:manifests)',
    (_name, { definition, dir }) => {
      const committed = JSON.parse(readFileSync(join(dir, 'service.json'), 'utf8'));
      expect(committed).toEqual(renderManifest(definition, dir));
    },
  );

  it('names only services that exist as producers and consumers in the contracts', () => {
    const names = new Set(manifests.map((m) => m.manifest.name));
    for (const producer of producers().keys()) expect(names).toContain(producer);
    for (const consumer of consumerNames) expect(names).toContain(consumer);
  });

  it('has every called service and every provider in the system', () => {
    const names = new Set(manifests.map((m) => m.manifest.name));
    for (const { manifest } of manifests) {
      for (const called of manifest.calls) expect(names).toContain(called);
    }
  });

  it('refuses a definition that calls a service without a setting for its URL', () => {
    const gateway = definitions.find((d) => d.definition.name === 'gateway');
    if (!gateway) throw new Error('no gateway definition');
    const broken = { ...gateway.definition, calls: ['inventory'] };
    expect(() => renderManifest(broken, gateway.dir)).toThrow(
      'it calls inventory but has no INVENTORY_SERVICE_URL setting',
    );
  });
});
