import { type Static, type TObject, type TProperties, type TSchema, Type } from 'typebox';
import Value from 'typebox/value';
import type { SsmParameters } from './ssm-parameters.ts';

/** Marks a config value as a secret: never printed, redacted from every log line. */
export function Secret<T extends TSchema>(schema: T): T {
  return { ...schema, secret: true };
}

/** Settings every service has. Each has a default, so a service runs with none set. */
export function baseConfigProperties(defaults: { port: number }) {
  return {
    NODE_ENV: Type.Union(
      [Type.Literal('development'), Type.Literal('test'), Type.Literal('production')],
      {
        default: 'development',
        description:
          'production disables development-only routes and the start-up check of route schemas',
      },
    ),
    HOST: Type.String({ default: '0.0.0.0', description: 'Interface to listen on' }),
    PORT: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: defaults.port,
      description: 'HTTP port',
    }),
    LOG_LEVEL: Type.Union(
      [
        Type.Literal('fatal'),
        Type.Literal('error'),
        Type.Literal('warn'),
        Type.Literal('info'),
        Type.Literal('debug'),
        Type.Literal('trace'),
        Type.Literal('silent'),
      ],
      { default: 'info', description: 'pino log level' },
    ),
    AWS_REGION: Type.String({
      default: 'us-east-1',
      minLength: 1,
      description: 'Region of every AWS client',
    }),
    SSM_PARAMETER_PATH: Type.Optional(
      Type.String({
        pattern: '^/',
        description: 'When set, SSM parameters under this path overlay the environment',
      }),
    ),
    SHUTDOWN_DRAIN_DELAY_MS: Type.Integer({
      minimum: 0,
      default: 0,
      description:
        'After SIGTERM, how long to keep serving while readiness reports 503, so the load balancer stops sending traffic first',
    }),
    SHUTDOWN_TIMEOUT_MS: Type.Integer({
      minimum: 100,
      default: 20_000,
      description: 'Upper bound for the whole shutdown; keep it inside the ECS stop timeout (30 s)',
    }),
    TRACING: Type.Optional(
      Type.Union([Type.Literal('off'), Type.Literal('xray'), Type.Literal('otel')], {
        description:
          'Distributed tracing: xray sends segments to the X-Ray daemon, otel exports OTLP/HTTP with the X-Ray propagator; unset means xray when AWS_XRAY_DAEMON_ADDRESS is set, else off',
      }),
    ),
    OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'With TRACING=otel: base URL of the OTLP/HTTP receiver (CloudWatch agent or ADOT collector); default http://127.0.0.1:4318',
      }),
    ),
    AWS_XRAY_DAEMON_ADDRESS: Type.Optional(
      Type.String({
        pattern:
          '^([^\\s:]+:[0-9]{1,5}|tcp:[^\\s:]+:[0-9]{1,5} udp:[^\\s:]+:[0-9]{1,5}|udp:[^\\s:]+:[0-9]{1,5} tcp:[^\\s:]+:[0-9]{1,5})$',
        description:
          'The X-Ray daemon: host:port (its TCP proxy and UDP port alike), or tcp:host:port udp:host:port; e.g. 127.0.0.1:2000',
      }),
    ),
    TRACING_SAMPLING_RATE: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.05,
      description:
        'Share of traces kept beyond the first each second (X-Ray default rule); 1 keeps every trace',
    }),
    LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({
      minimum: 0,
      default: 1_000,
      description: 'Above this event-loop delay, requests get 503 + Retry-After (0 disables)',
    }),
  };
}

export type BaseConfig = Static<TObject<ReturnType<typeof baseConfigProperties>>>;

/** A service's config schema: the base settings plus its own. */
export function defineConfig<P extends TProperties>(defaults: { port: number }, properties: P) {
  return Type.Object({ ...baseConfigProperties(defaults), ...properties });
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadedConfig<T> {
  readonly config: Readonly<T>;
  /** Values that must never be printed: secret-marked settings and SSM SecureStrings. */
  readonly secrets: readonly string[];
}

export interface LoadConfigOptions {
  readonly env?: Record<string, string | undefined>;
  /** Reads the parameters under a path; defaults to SSM Parameter Store. */
  readonly loadParameters?: (path: string, region: string) => Promise<SsmParameters>;
}

/**
 * Reads the environment (overlaid by SSM parameters when SSM_PARAMETER_PATH is set),
 * applies defaults, converts text to the schema's types and validates. Any problem
 * stops here with a ConfigError that names every offending variable.
 */
export async function loadConfig<S extends TObject>(
  schema: S,
  options: LoadConfigOptions = {},
): Promise<LoadedConfig<Static<S>>> {
  const env = pickKnown(schema, options.env ?? process.env);
  const secrets: string[] = [];
  const path = env.SSM_PARAMETER_PATH;
  if (path) {
    // Loaded on demand: the AWS SDK is heavy, and most local runs never need it.
    const load = options.loadParameters ?? (await import('./ssm-parameters.ts')).loadSsmParameters;
    const parameters = await load(path, env.AWS_REGION ?? 'us-east-1');
    for (const [name, parameter] of Object.entries(parameters)) {
      if (!(name in schema.properties)) continue;
      env[name] = parameter.value;
      if (parameter.secure) secrets.push(parameter.value);
    }
  }

  const candidate = Value.Convert(schema, Value.Default(schema, { ...env })) as Record<
    string,
    unknown
  >;
  const problems = describeProblems(schema, Value.Errors(schema, candidate), candidate);
  if (problems.length > 0) throw new ConfigError(problems);

  const config = Object.freeze(candidate as Static<S>);
  for (const [name, propertySchema] of Object.entries(schema.properties)) {
    const value = (config as Record<string, unknown>)[name];
    if (isSecret(propertySchema) && typeof value === 'string') secrets.push(value);
  }
  return { config, secrets: [...new Set(secrets)].filter((s) => s.length > 0) };
}

/** The config with secret values replaced, safe to log at start-up. */
export function redactConfig<T extends object>(
  schema: TObject,
  config: T,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([name, value]) => [
      name,
      isSecret(schema.properties[name]) ? '[redacted]' : value,
    ]),
  );
}

function isSecret(schema: TSchema | undefined): boolean {
  return (schema as { secret?: unknown } | undefined)?.secret === true;
}

function pickKnown(
  schema: TObject,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const known: Record<string, string> = {};
  for (const name of Object.keys(schema.properties)) {
    const value = env[name];
    // An empty variable (`FOO=` in a compose file) means "not set", not "empty string".
    if (value !== undefined && value !== '') known[name] = value;
  }
  return known;
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

/** One line per offending variable, however many schema keywords it broke. */
function describeProblems(
  schema: TObject,
  errors: readonly ValidationIssue[],
  candidate: Record<string, unknown>,
): string[] {
  const problems = new Map<string, string>();
  for (const error of errors) {
    if (error.keyword === 'required') {
      const missing = (error.params.requiredProperties as string[] | undefined) ?? [];
      for (const name of missing) problems.set(name, `${name}: is required${help(schema, name)}`);
      continue;
    }
    const name = error.instancePath.split('/')[1] ?? '(root)';
    if (problems.has(name)) continue;
    const property = schema.properties[name];
    const allowed = literalsOf(property);
    const message = allowed ? `must be one of ${allowed.join(', ')}` : error.message;
    const shown = isSecret(property) ? '' : ` (got ${JSON.stringify(candidate[name])})`;
    problems.set(name, `${name}: ${message}${shown}${help(schema, name)}`);
  }
  return [...problems.values()];
}

function literalsOf(schema: TSchema | undefined): string[] | undefined {
  const anyOf = (schema as { anyOf?: { const?: unknown }[] } | undefined)?.anyOf;
  if (!anyOf?.every((member) => member.const !== undefined)) return undefined;
  return anyOf.map((member) => String(member.const));
}

function help(schema: TObject, name: string): string {
  const description = (schema.properties[name] as { description?: string } | undefined)
    ?.description;
  return description ? ` — ${description}` : '';
}
