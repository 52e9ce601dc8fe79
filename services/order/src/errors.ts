import { orderApiErrors } from '@storekeeper/contracts';
import { defineErrors } from '@storekeeper/platform/define-errors';

/**
 * Every error the order service answers with: the kit's and the order API's own (declared
 * in the contract, which the gateway documents too). Domain code throws from it
 * (`orderErrors.create('UNKNOWN_SKU', …)`); routes document from it (`orderErrors.responses`).
 */
export const orderErrors = defineErrors(orderApiErrors);
