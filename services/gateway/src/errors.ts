import { publicApiErrors } from '@storekeeper/contracts';
import { defineErrors } from '@storekeeper/platform';

/**
 * Every error the gateway answers with: the kit's (its own validation, authentication,
 * rate limit and upstream failures) and those it forwards from the services, as their
 * API contracts declare them.
 */
export const gatewayErrors = defineErrors({
  ...publicApiErrors,
  // Its own: the development-only trace routes.
  TRACE_NOT_FOUND: { status: 404, title: 'Trace not found' },
});

export type GatewayErrorCode = keyof typeof gatewayErrors.specs & string;
