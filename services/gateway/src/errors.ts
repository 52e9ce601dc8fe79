import { publicApiErrors } from '@storekeeper/contracts';
import { defineErrors } from '@storekeeper/platform';

/**
 * Every error the gateway answers with: the kit's (its own validation, authentication,
 * rate limit and upstream failures) and those it forwards from the services, as their
 * API contracts declare them.
 */
export const gatewayErrors = defineErrors(publicApiErrors);

export type GatewayErrorCode = keyof typeof gatewayErrors.specs & string;
