import { messagingConfigProperties } from '@storekeeper/messaging';
import { defineConfig, Secret } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

export const configSchema = defineConfig(
  { port: 3003 },
  {
    ...messagingConfigProperties,
    DATABASE_URL: Secret(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'The billing service database (billing), connecting as its own role',
      }),
    ),
    JWKS_URL: Type.String({
      pattern: '^https?://',
      default: 'http://127.0.0.1:3001/.well-known/jwks.json',
      description: 'The user service JWKS that verifies access tokens',
    }),
    JWT_ISSUER: Type.String({
      minLength: 1,
      default: 'storekeeper-user',
      description: 'Expected iss of access tokens',
    }),
    JWT_AUDIENCE: Type.String({
      minLength: 1,
      default: 'storekeeper-api',
      description: 'Expected aud of access tokens',
    }),
    DEFAULT_CREDIT_LIMIT_CENTS: Type.Integer({
      minimum: 0,
      default: 50_000,
      description: 'Credit limit of a newly opened account, in minor units',
    }),
    BILLING_CURRENCY: Type.String({
      pattern: '^[A-Z]{3}$',
      default: 'EUR',
      description: 'ISO 4217 currency every account is kept in',
    }),
  },
);

export type Config = Static<typeof configSchema>;
