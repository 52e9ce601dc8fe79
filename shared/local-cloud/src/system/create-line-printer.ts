import { styleText } from 'node:util';
import type { OutputLine } from './create-supervisor.ts';

type Color = Parameters<typeof styleText>[0];
const levelColors: Record<string, Color> = {
  trace: 'gray',
  debug: 'gray',
  info: 'green',
  warn: 'yellow',
  error: 'red',
  fatal: 'magenta',
};
// pino's numeric levels, for loggers that do not log the label.
const levelNames: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const nameColors = ['cyan', 'magenta', 'blue', 'yellow', 'green', 'white'] as const;
// Fields every line has, or that the prefix already says.
const noise = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service']);

export interface LinePrinterOptions {
  readonly names: readonly string[];
  /** Turn pino JSON lines into `LEVEL message {fields}`; otherwise lines pass unchanged. */
  readonly pretty: boolean;
  readonly write?: (text: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * `user    │ INFO  listening {"port":3001}`: every child's lines prefixed with its name,
 * padded so the output lines up. Colours only on a terminal (styleText checks the stream
 * and NO_COLOR itself).
 */
export function createLinePrinter(options: LinePrinterOptions): OutputLine {
  const width = Math.max(...options.names.map((name) => name.length), 0);
  const write =
    options.write ??
    ((text: string, stream: 'stdout' | 'stderr') => process[stream].write(`${text}\n`));
  return (name, line, stream) => {
    const index = options.names.indexOf(name);
    const color = nameColors[Math.max(index, 0) % nameColors.length] ?? 'cyan';
    const prefix = styleText(color, `${name.padEnd(width)} │`, { stream: process[stream] });
    write(`${prefix} ${options.pretty ? prettyLine(line, stream) : line}`, stream);
  };
}

function prettyLine(line: string, stream: 'stdout' | 'stderr'): string {
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof record.level === 'number' ? levelNames[record.level] : record.level;
  if (typeof level !== 'string' || typeof record.msg !== 'string') return line;
  const label = styleText(levelColors[level] ?? 'white', level.toUpperCase().padEnd(5), {
    stream: process[stream],
  });
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => !noise.has(key)));
  const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${label} ${record.msg}${fields}`;
}
