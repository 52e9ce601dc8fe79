import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The user service's token signing key for local runs (on AWS it comes from an SSM
 * SecureString). Kept under .local/ so tokens stay valid across restarts of `pnpm start`.
 */
export async function loadOrCreateSigningKey(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, pem, { mode: 0o600 });
  return pem;
}
