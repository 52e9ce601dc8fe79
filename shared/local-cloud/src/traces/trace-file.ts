import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  readTraceLines,
  type SegmentDocument,
  tracesFromLines,
} from '@storekeeper/contracts/traces';

export interface TraceFile {
  readonly path: string;
  append(segment: SegmentDocument): void;
  close(): Promise<void>;
}

/**
 * Segments as JSON lines in `path`, for `pnpm trace` to read while the system runs.
 * Bounded: past `maxBytes` the file becomes `path.1` (the one before is dropped) and a
 * new one starts, so a long session keeps its recent traces and no more.
 */
export async function appendSegmentsTo(
  path: string,
  options: { maxBytes?: number } = {},
): Promise<TraceFile> {
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  await mkdir(dirname(path), { recursive: true });
  let size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  let stream: WriteStream = createWriteStream(path, { flags: 'a' });
  let rotating: Promise<void> = Promise.resolve();
  let rotations = 0;
  return {
    path,
    append(segment) {
      const line = `${JSON.stringify(segment)}\n`;
      size += Buffer.byteLength(line);
      stream.write(line);
      if (size <= maxBytes) return;
      size = 0;
      const full = stream;
      rotations += 1;
      const next = `${path}.${rotations}.new`;
      stream = createWriteStream(next, { flags: 'w' });
      rotating = rotating.then(async () => {
        await new Promise((resolve) => full.end(resolve));
        await rename(path, `${path}.1`);
        await rename(next, path);
      });
    },
    async close() {
      await rotating;
      await new Promise((resolve) => stream.end(resolve));
    },
  };
}

/**
 * The traces in `path` (and the rotated `path.1`), each trace's segments in the order
 * they were written; a segment sent twice counts once, as its last version.
 */
export async function readTraces(path: string): Promise<Map<string, SegmentDocument[]>> {
  return tracesFromLines(await readTraceLines(path));
}
