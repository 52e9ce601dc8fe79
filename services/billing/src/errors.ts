import { billingApiErrors } from '@storekeeper/contracts';
import { defineErrors } from '@storekeeper/platform/define-errors';

/**
 * Every error the billing service answers with: the kit's and the billing API's own
 * (declared in the contract, which the gateway documents too). Domain code throws from it
 * (`billingErrors.create('BILLING_ACCOUNT_NOT_FOUND', …)`); routes document from it
 * (`billingErrors.responses`).
 */
export const billingErrors = defineErrors(billingApiErrors);
