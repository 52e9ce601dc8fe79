/**
 * Bundles the service in the current folder from its compiled `dist` into
 * `dist/bundle/`: `server.js` (what the image runs) and `service.js` (what the image
 * imports at build time to fill Node's compile cache), sharing one chunk.
 *
 * Why: resolving and reading ~1,500 module files is most of a service's start-up here;
 * one file with the same code loads in a quarter of the time (docs/adr/0050). The code is
 * not minified, so stack traces keep their function names.
 *
 * Run by each service's `build` script, after `tsc`: `node ../../scripts/bundle-service.ts`.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

/**
 * Left to `node_modules` at run time, because they read their own files when they run
 * (Swagger UI serves its static assets from its folder), are optional native add-ons the
 * code only tries to load (`pg-native`), or serve only the unbundled migrations
 * (`node-pg-migrate`). Whatever the code imports dynamically (`pg`, the SSM client, the
 * tracing backends) becomes a chunk of its own, loaded only when used.
 */
export const externalPackages = ['@fastify/swagger-ui', 'pg-native', 'node-pg-migrate'];

const external = (id: string) =>
  externalPackages.some((name) => id === name || id.startsWith(`${name}/`));

/**
 * CommonJS dependencies call `require` for Node's built-ins; an ES module has none, so
 * every chunk defines one first.
 */
const banner =
  "import { createRequire as __bundleCreateRequire } from 'node:module';\n" +
  'const require = __bundleCreateRequire(import.meta.url);';

export async function bundleService(serviceDir: string): Promise<void> {
  const dist = join(serviceDir, 'dist');
  for (const entry of ['server.js', 'service.js']) {
    if (!existsSync(join(dist, entry))) {
      throw new Error(`bundle-service: ${join(dist, entry)} is missing; run tsc first`);
    }
  }
  const outDir = join(dist, 'bundle');
  rmSync(outDir, { recursive: true, force: true });
  await build({
    input: { server: join(dist, 'server.js'), service: join(dist, 'service.js') },
    cwd: serviceDir,
    platform: 'node',
    external,
    logLevel: 'warn',
    output: {
      dir: outDir,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      banner,
    },
  });
}

if (import.meta.main) {
  await bundleService(process.cwd());
}
