import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePassword } from './provision-postgres.ts';

/** Generated secrets of a local cloud, kept next to its data so a restart reuses them. */
export interface LocalCredentials {
  /** The cluster's superuser password, fixed at initdb time. */
  readonly superuserPassword: string;
  /** Login role passwords by service, so a copied `DATABASE_URL` stays valid. */
  readonly databasePasswords: Record<string, string>;
}

const fileName = 'credentials.json';

/**
 * Reads the credentials of a persisted local cloud, or generates new ones for a fresh one.
 * A cluster without its credentials file cannot be entered (its superuser password is
 * unknown), so that is an error with the way out in the message.
 */
export async function loadCredentials(
  dataDir: string,
  clusterExists: boolean,
): Promise<LocalCredentials> {
  const file = join(dataDir, fileName);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalCredentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (clusterExists) {
      throw new Error(
        `${file} is missing, so the PostgreSQL cluster in ${dataDir} cannot be entered; ` +
          `delete ${dataDir} to start from scratch`,
        { cause: error },
      );
    }
    return { superuserPassword: generatePassword(), databasePasswords: {} };
  }
}

export async function saveCredentials(dataDir: string, credentials: LocalCredentials) {
  await writeFile(join(dataDir, fileName), `${JSON.stringify(credentials, null, 2)}\n`, {
    mode: 0o600,
  });
}
