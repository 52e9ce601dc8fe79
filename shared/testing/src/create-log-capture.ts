import { type WaitForOptions, waitFor } from './wait-for.ts';

/** A parsed line; `level` is a number, or a label when the logger's formatter says so. */
export type LogRecord = Record<string, unknown> & { level?: number | string; msg?: string };

export interface LogCapture {
  /** A pino destination: `pino(options, capture.stream)` (options first, even if `{}`). */
  readonly stream: { write(chunk: string): void };
  /** Every line written, as text. */
  readonly lines: readonly string[];
  /** The JSON lines, parsed (other lines are skipped). */
  records(): LogRecord[];
  find(predicate: (record: LogRecord) => boolean): LogRecord | undefined;
  /** Waits until a matching record was logged (logs written from async work). */
  waitForRecord(
    predicate: (record: LogRecord) => boolean,
    options: WaitForOptions,
  ): Promise<LogRecord>;
  clear(): void;
}

/**
 * Collects log lines for assertions: what was logged, at which level, and what was not
 * (a secret that must be redacted). pino writes one JSON line per call to `write`.
 */
export function createLogCapture(): LogCapture {
  const lines: string[] = [];
  const records = () => lines.flatMap(parseRecord);
  const find = (predicate: (record: LogRecord) => boolean) => records().find(predicate);
  return {
    stream: {
      write(chunk: string) {
        for (const line of chunk.split('\n')) if (line.trim()) lines.push(line);
      },
    },
    lines,
    records,
    find,
    waitForRecord: (predicate, options) => waitFor(() => find(predicate), options),
    clear: () => {
      lines.length = 0;
    },
  };
}

function parseRecord(line: string): LogRecord[] {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? [parsed as LogRecord] : [];
  } catch {
    return [];
  }
}
