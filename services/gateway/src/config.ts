import { services } from '@storekeeper/contracts';
import { defineConfig } from '@storekeeper/platform';
import { type Static, Type } from 'typebox';

function serviceUrl(name: keyof typeof services) {
  return Type.String({
    pattern: '^https?://',
    default: `http://127.0.0.1:${services[name].port}`,
    description: `Base URL of the ${name} service (Service Connect name on ECS)`,
  });
}

export const configSchema = defineConfig(
  { port: services.gateway.port },
  {
    USER_SERVICE_URL: serviceUrl('user'),
    ORDER_SERVICE_URL: serviceUrl('order'),
    BILLING_SERVICE_URL: serviceUrl('billing'),
    EMAIL_SERVICE_URL: serviceUrl('email'),
  },
);

export type Config = Static<typeof configSchema>;
