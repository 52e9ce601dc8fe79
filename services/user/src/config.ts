import { defineConfig, Secret } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

export const configSchema = defineConfig(
  { port: 3001 },
  {
    DATABASE_URL: Secret(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'The user service database (users), connecting as its own role',
      }),
    ),
  },
);

export type Config = Static<typeof configSchema>;
