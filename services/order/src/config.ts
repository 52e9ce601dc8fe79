import { defineConfig, Secret } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

export const configSchema = defineConfig(
  { port: 3002 },
  {
    DATABASE_URL: Secret(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'The order service database (orders), connecting as its own role',
      }),
    ),
  },
);

export type Config = Static<typeof configSchema>;
