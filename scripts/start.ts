/**
 * `pnpm start`: the whole system on this machine, no Docker. Embedded backends (data kept
 * in .local/), migrations, every service under services/ on its usual port, until Ctrl-C.
 *
 *   pnpm start              pretty logs on a terminal, raw JSON when piped
 *   pnpm start --fresh      throw the kept data away first
 *   pnpm start --raw        raw JSON logs even on a terminal
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readServiceManifests } from '../shared/contracts/src/manifest/index.ts';
import { runSystem } from '../shared/local-cloud/src/index.ts';
import { loadOrCreateSigningKey } from './start/local-signing-key.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const signingKey = await loadOrCreateSigningKey(`${root}.local/keys/jwt-signing-key.pem`);
const code = await runSystem({
  // Every folder under services/ with a manifest (service.json) is part of the system.
  services: readServiceManifests(),
  backendArgs: [...(flags.fresh ? ['--fresh'] : []), ...(flags.verbose ? ['--verbose'] : [])],
  extraEnv: { user: { JWT_PRIVATE_KEY: signingKey } },
  pretty: !flags.raw && process.stdout.isTTY === true,
  // Every trace, for `pnpm trace` (scripts/trace.ts reads the same file).
  traceFile: `${root}.local/traces/segments.jsonl`,
});
process.exit(code);
