import { dynamoTables } from '@storekeeper/contracts';
import { defineConfig } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

const deliveries = dynamoTables.find((table) => table.service === 'email');

export const configSchema = defineConfig(
  { port: 3004 },
  {
    DELIVERIES_TABLE: Type.String({
      minLength: 3,
      default: deliveries?.tableName ?? 'email-deliveries',
      description: 'DynamoDB table of the delivery log',
    }),
  },
);

export type Config = Static<typeof configSchema>;
