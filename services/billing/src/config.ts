import { messagingConfigProperties } from '@storekeeper/messaging';
import { defineConfig, Secret, tokenVerificationConfigProperties } from '@storekeeper/platform';
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
    ...tokenVerificationConfigProperties,
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
