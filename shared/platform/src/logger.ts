import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Paths pino removes from every log line. Headers and bodies are never logged whole,
 * but an error or a debug line may carry them; keys named like secrets are censored
 * at any of the first levels of nesting.
 */
const secretKeys = [
  'password',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'privateKey',
  'secret',
  'clientSecret',
  'authorization',
  'cookie',
  'DATABASE_URL',
  'JWT_PRIVATE_KEY',
];

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
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
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const scrub = createScrubber(options.secrets ?? []);
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactPaths, censor: '[redacted]' },
    hooks: { streamWrite: scrub },
  };
  return pino(pinoOptions, options.destination ?? pino.destination({ sync: false }));
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
      if (out.includes(needle)) out = out.replaceAll(needle, '[redacted]');
    }
    return out;
  };
}
