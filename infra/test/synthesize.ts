import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceManifest } from '@storekeeper/contracts/manifest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildStorekeeperApp, type StorekeeperApp } from '../src/storekeeper-app.ts';

/** The context `cdk synth` runs with (cdk.json), so the tests see the same templates. */
export const cdkContext: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../cdk.json', import.meta.url), 'utf8'),
).context;

/** The whole app, synthesized (cdk-nag runs as it does under `cdk synth`). */
export function synthesize(
  options: { context?: Record<string, unknown>; services?: readonly ServiceManifest[] } = {},
): { app: App; built: StorekeeperApp; template: (stackName: string) => Template } {
  const app = new App({
    context: { ...cdkContext, ...options.context },
    outdir: mkdtempSync(join(tmpdir(), 'storekeeper-cdk-')),
  });
  const built = buildStorekeeperApp(app, options.services);
  const assembly = app.synth();
  const templates = new Map<string, Template>();
  return {
    app,
    built,
    template(stackName) {
      let template = templates.get(stackName);
      if (!template) {
        template = Template.fromJSON(assembly.getStackByName(stackName).template);
        templates.set(stackName, template);
      }
      return template;
    },
  };
}
