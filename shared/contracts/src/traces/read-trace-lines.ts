import { readFile } from 'node:fs/promises';

/**
 * The segments `pnpm start` keeps as JSON lines: `path`, after the rotated `path.1`, read
 * as they are now (the file grows while the system runs). Nothing when neither exists.
 */
export async function readTraceLines(path: string): Promise<string> {
  const parts = await Promise.all(
    [`${path}.1`, path].map((file) => readFile(file, 'utf8').catch(() => '')),
  );
  return parts.join('\n');
}
