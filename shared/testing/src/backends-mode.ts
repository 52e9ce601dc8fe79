import { type BackendsMode, backendsModes } from './test-backends.ts';

/** `STOREKEEPER_BACKENDS`: `embedded` (default), `external` or `containers`. */
export function backendsModeFrom(env: NodeJS.ProcessEnv = process.env): BackendsMode {
  const value = env.STOREKEEPER_BACKENDS?.trim() || 'embedded';
  if ((backendsModes as readonly string[]).includes(value)) return value as BackendsMode;
  throw new Error(
    `STOREKEEPER_BACKENDS="${value}" is not one of ${backendsModes.join(', ')} (default: embedded)`,
  );
}
