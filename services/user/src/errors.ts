import { userApiErrors } from '@storekeeper/contracts';
import { defineErrors } from '@storekeeper/platform/define-errors';

/**
 * Every error the user service answers with: the kit's and the user API's own (declared in
 * the contract, which the gateway documents too). Domain code throws from it
 * (`userErrors.create('EMAIL_TAKEN', …)`); routes document from it (`userErrors.responses`).
 */
export const userErrors = defineErrors(userApiErrors);
