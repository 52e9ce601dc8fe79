import { readFile } from 'node:fs/promises';
import { type SegmentDocument, tracesFromLines } from '@storekeeper/contracts/traces';

export interface TraceReader {
  /** Every trace in the file now, by trace id; undefined when no file is kept. */
  read(): Promise<Map<string, SegmentDocument[]> | undefined>;
}

/**
 * The segments `pnpm start` keeps as JSON lines (`path`, and `path.1` once rotated), read
 * afresh on each call: the file grows while the system runs. A missing file is no traces.
 */
export function traceFileReader(path: string | undefined): TraceReader {
  return {
    async read() {
      if (!path) return undefined;
      const texts = await Promise.all(
        [`${path}.1`, path].map((file) => readFile(file, 'utf8').catch(() => '')),
      );
      return tracesFromLines(texts.join('\n'));
    },
  };
}
