import { createRequire } from 'node:module';
import type pg from 'pg';

const require = createRequire(import.meta.url);
let loaded: typeof pg | undefined;

/**
 * The `pg` driver, loaded on first use: a service without PostgreSQL (the gateway, the
 * email service) never pays its start-up cost, though the kit's index exports the helpers.
 */
export function pgModule(): typeof pg {
  loaded ??= require('pg') as typeof pg;
  return loaded;
}
