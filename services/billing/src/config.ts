import { defineConfig, Secret } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

export const configSchema = defineConfig(
  { port: 3003 },
  {
    DATABASE_URL: Secret(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'The billing service database (billing), connecting as its own role',
      }),
    ),
  },
);

export type Config = Static<typeof configSchema>;
