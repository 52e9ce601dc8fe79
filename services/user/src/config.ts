import { messagingConfigProperties } from '@storekeeper/messaging';
import { defineConfig, Secret } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

export const configSchema = defineConfig(
  { port: 3001 },
  {
    ...messagingConfigProperties,
    DATABASE_URL: Secret(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'The user service database (users), connecting as its own role',
      }),
    ),
    JWT_PRIVATE_KEY: Secret(
      Type.String({
        pattern: '-----BEGIN PRIVATE KEY-----',
        description:
          'PKCS#8 PEM of the P-256 key that signs access tokens (SSM SecureString on AWS)',
      }),
    ),
    JWT_ISSUER: Type.String({
      minLength: 1,
      default: 'storekeeper-user',
      description: 'iss of access tokens',
    }),
    JWT_AUDIENCE: Type.String({
      minLength: 1,
      default: 'storekeeper-api',
      description: 'aud of access tokens',
    }),
    ACCESS_TOKEN_TTL_SECONDS: Type.Integer({
      minimum: 60,
      maximum: 86_400,
      default: 900,
      description: 'Lifetime of an access token',
    }),
    EMAIL_VERIFICATION_TTL_HOURS: Type.Integer({
      minimum: 1,
      maximum: 720,
      default: 24,
      description: 'How long a verification link works',
    }),
  },
);

export type Config = Static<typeof configSchema>;
