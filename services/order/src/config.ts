import { messagingConfigProperties } from '@storekeeper/messaging';
import { defineConfig, Secret, tokenVerificationConfigProperties } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

export const configSchema = defineConfig(
  { port: 3002 },
  {
    ...messagingConfigProperties,
    DATABASE_URL: Secret(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'The order service database (orders), connecting as its own role',
      }),
    ),
    ...tokenVerificationConfigProperties,
    // Required: the orchestrator, compose and the CDK app set it (the service declares
    // `calls: ['user']`).
    USER_SERVICE_URL: Type.String({
      pattern: '^https?://',
      description:
        'Base URL of the user service (Service Connect name on ECS), asked whether the customer’s email is verified before an order is taken',
    }),
    IDEMPOTENCY_KEY_TTL_HOURS: Type.Integer({
      minimum: 1,
      maximum: 720,
      default: 24,
      description:
        'How long an Idempotency-Key of POST /orders is kept per user: a retry with the same key and body within this time gets the first response instead of a second order; expired keys are deleted by a sweep every few minutes',
    }),
  },
);

export type Config = Static<typeof configSchema>;
