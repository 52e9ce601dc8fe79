import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Keys whose values never reach the output, at any depth and in any letter case. Headers
 * and bodies are never logged whole, but an error or a debug line may carry them.
 */
export const secretKeys = [
  'password',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'verificationToken',
  'privateKey',
  'secret',
  'clientSecret',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'DATABASE_URL',
  'JWT_PRIVATE_KEY',
];

export interface CreateLoggerOptions {
  readonly service: string;
  readonly level?: string;
  /**
   * Values that must never appear in output, whatever key they hide under (secrets
   * from config and SSM). Lines are scrubbed just before they are written.
   */
  readonly secrets?: readonly string[];
  /** Where lines go; stdout by default. Tests pass a capturing stream. */
  readonly destination?: DestinationStream;
  /** Fields added to every line, e.g. the current trace id (only when tracing is on). */
  readonly mixin?: () => object;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const scrub = createScrubber(options.secrets ?? []);
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    messageKey: 'msg',
    timestamp: isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Censored on the finished line, not with pino's `redact`: its wildcard paths cost
    // ~40 µs a line here, 15× the rest of the line (docs/adr/0046).
    hooks: { streamWrite: (line) => scrub(censorSecretKeys(line)) },
    ...(options.mixin ? { mixin: options.mixin } : {}),
  };
  return pino(pinoOptions, options.destination ?? bufferedStdout());
}

/**
 * pino's `isoTime`, formatted once per millisecond rather than once per line: under load
 * several lines share a millisecond, and `toISOString` was a seventh of a line's cost.
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastTime.ms) {
    lastTime.ms = now;
    lastTime.field = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime.field;
}
const lastTime = { ms: 0, field: '' };

/** How long a line may wait in the buffer when traffic is low. */
const flushIntervalMs = 250;

/**
 * Standard output, written 4 KiB at a time rather than a line at a time, and written
 * synchronously (pino's default) rather than through libuv's thread pool. Measured with
 * the user service at info (one line per request; docs/benchmarks/gateway.md): a
 * thread-pool write per line cost ~30 µs of the request's CPU here, batching and writing
 * in place ~2 µs. When traffic is low a line waits at most `flushIntervalMs`; the kit
 * flushes at shutdown, and an exit hook writes whatever is left. A process killed outright
 * (SIGKILL, out of memory) loses at most the buffer: a quarter second or 4 KiB of lines.
 */
function bufferedStdout(): DestinationStream {
  stdout ??= openBufferedStdout();
  return stdout;
}

/** One per process, shared by its loggers: one buffer, one timer, one exit hook. */
let stdout: ReturnType<typeof pino.destination> | undefined;

function openBufferedStdout() {
  const destination = pino.destination({ sync: true, minLength: 4096 });
  const flush = (sync: boolean) => {
    try {
      // flushSync also fsyncs: right once at exit, a disk flush four times a second not.
      if (sync) destination.flushSync();
      else destination.flush();
    } catch {
      // already closed: nothing left to write
    }
  };
  setInterval(() => flush(false), flushIntervalMs).unref();
  // pino flushes only its asynchronous destinations at exit: this one is flushed here,
  // so the last lines of a process that exits (a start-up failure too) are written.
  process.once('exit', () => flush(true));
  return destination;
}

const censor = '[redacted]';
const secretKeySet = new Set(secretKeys.map((key) => key.toLowerCase()));
// The keys are plain words and hyphens: nothing in them needs escaping.
const mentionsSecretKey = new RegExp(`"(?:${secretKeys.join('|')})":`, 'i');

/**
 * A line that mentions a secret-named key (rare: a sub-microsecond test rules out the
 * rest) is parsed and every value under such a key replaced, however deep. A line that
 * cannot be parsed is withheld rather than written uncensored.
 */
export function censorSecretKeys(line: string): string {
  if (!mentionsSecretKey.test(line)) return line;
  try {
    return `${JSON.stringify(censorValue(JSON.parse(line)))}\n`;
  } catch {
    return `${JSON.stringify({ level: 'error', msg: 'log line withheld: it could not be censored' })}\n`;
  }
}

function censorValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(censorValue);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = secretKeySet.has(key.toLowerCase()) ? censor : censorValue(inner);
  }
  return out;
}

function createScrubber(secrets: readonly string[]): (line: string) => string {
  // Short values would mangle ordinary text and are not worth hiding.
  const needles = secrets
    .filter((secret) => secret.length >= 6)
    .flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]);
  const unique = [...new Set(needles)].sort((a, b) => b.length - a.length);
  if (unique.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const needle of unique) {
      if (out.includes(needle)) out = out.replaceAll(needle, censor);
    }
    return out;
  };
}
