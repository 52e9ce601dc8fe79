import { messagingConfigProperties } from '@storekeeper/messaging';
import { defineConfig } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

/** The table's name in every environment; tests set DELIVERIES_TABLE to a copy. */
export const deliveriesTableName = 'email-deliveries';

export const configSchema = defineConfig(
  { port: 3004 },
  {
    ...messagingConfigProperties,
    DELIVERIES_TABLE: Type.String({
      minLength: 3,
      default: deliveriesTableName,
      description: 'DynamoDB table of the sent emails and their recipients',
    }),
    EMAIL_SENDING_ENABLED: Type.Boolean({
      default: false,
      description:
        'Send through SES; when false, emails are only recorded (and shown in the dev mailbox)',
    }),
    EMAIL_FROM: Type.String({
      minLength: 3,
      default: 'Storekeeper <no-reply@storekeeper.example>',
      description: 'Sender address; must be a verified SES identity when sending is enabled',
    }),
    VERIFY_EMAIL_URL: Type.String({
      pattern: '^https?://',
      default: 'http://127.0.0.1:8080/verify-email',
      description: 'Page the verification link opens (the token is appended as ?token=)',
    }),
  },
);

export type Config = Static<typeof configSchema>;
