import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, defineConfig, loadConfig, redactConfig, Secret } from '../src/config.ts';

const schema = defineConfig(
  { port: 3001 },
  {
    DATABASE_URL: Secret(
      Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL URL' }),
    ),
    JWT_PRIVATE_KEY: Secret(Type.String({ minLength: 1 })),
    FEATURE_ON: Type.Boolean({ default: false }),
  },
);

const required = {
  DATABASE_URL: 'postgres://svc:s3cret-pass@db:5432/users',
  JWT_PRIVATE_KEY: 'key-material-1234',
};

async function errorOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('applies defaults and converts text to the schema types', async () => {
    const { config } = await loadConfig(schema, {
      env: { ...required, PORT: '4000', FEATURE_ON: 'true' },
    });
    expect(config).toMatchObject({
      PORT: 4000,
      FEATURE_ON: true,
      HOST: '0.0.0.0',
      NODE_ENV: 'development',
    });
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(20_000);
  });

  it('names a missing variable, with its help', async () => {
    const error = await errorOf(loadConfig(schema, { env: { JWT_PRIVATE_KEY: 'x' } }));
    expect(error.problems).toEqual(['DATABASE_URL: is required — PostgreSQL URL']);
  });

  it('treats an empty variable as missing', async () => {
    const error = await errorOf(loadConfig(schema, { env: { ...required, DATABASE_URL: '' } }));
    expect(error.message).toContain('DATABASE_URL: is required');
  });

  it('names every invalid variable and shows the bad value of non-secrets', async () => {
    const error = await errorOf(
      loadConfig(schema, { env: { ...required, PORT: 'eighty', NODE_ENV: 'staging' } }),
    );
    expect(error.problems).toHaveLength(2);
    expect(error.message).toMatch(/PORT: .*integer.*\(got "eighty"\)/);
    expect(error.message).toMatch(/NODE_ENV: .*\(got "staging"\)/);
  });

  it('never echoes the value of an invalid secret', async () => {
    const error = await errorOf(
      loadConfig(schema, {
        env: { ...required, DATABASE_URL: 'mysql://root:hunter2-long@db/users' },
      }),
    );
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2-long');
  });

  it('lists the secret values so the logger can scrub them, and redacts them for printing', async () => {
    const { config, secrets } = await loadConfig(schema, { env: required });
    expect(secrets).toEqual(
      expect.arrayContaining([required.DATABASE_URL, required.JWT_PRIVATE_KEY]),
    );
    const printable = JSON.stringify(redactConfig(schema, config));
    expect(printable).not.toContain('s3cret-pass');
    expect(printable).toContain('"PORT":3001');
  });

  it('overlays parameters read from SSM_PARAMETER_PATH on the environment', async () => {
    const seen: string[] = [];
    const { config, secrets } = await loadConfig(schema, {
      env: { ...required, SSM_PARAMETER_PATH: '/storekeeper/test/user', PORT: '4000' },
      loadParameters: async (path) => {
        seen.push(path);
        return {
          JWT_PRIVATE_KEY: { value: 'from-ssm-private-key', secure: true },
          PORT: { value: '5000', secure: false },
          UNRELATED: { value: 'ignored', secure: false },
        };
      },
    });
    expect(seen).toEqual(['/storekeeper/test/user']);
    expect(config.JWT_PRIVATE_KEY).toBe('from-ssm-private-key');
    expect(config.PORT).toBe(5000);
    expect(config).not.toHaveProperty('UNRELATED');
    expect(secrets).toContain('from-ssm-private-key');
  });
});
