/**
 * `pnpm start`: the whole system on this machine, no Docker. Embedded backends (data kept
 * in .local/), migrations, the five services on their usual ports, until Ctrl-C.
 *
 *   pnpm start              pretty logs on a terminal, raw JSON when piped
 *   pnpm start --fresh      throw the kept data away first
 *   pnpm start --raw        raw JSON logs even on a terminal
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serviceNames, services } from '../shared/contracts/src/services.ts';
import { loadOrCreateSigningKey } from './start/local-signing-key.ts';
import { runSystem } from './start/run-system.ts';

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
  services: serviceNames.map((name) => ({
    name,
    port: services[name].port,
    dir: `${root}services/${name}`,
  })),
  backendArgs: [...(flags.fresh ? ['--fresh'] : []), ...(flags.verbose ? ['--verbose'] : [])],
  extraEnv: { user: { JWT_PRIVATE_KEY: signingKey } },
  pretty: !flags.raw && process.stdout.isTTY === true,
});
process.exit(code);
