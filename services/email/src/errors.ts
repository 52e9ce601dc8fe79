import { defineErrors } from '@storekeeper/platform/define-errors';

/**
 * Every error the email service answers with. Its only HTTP API is the dev mailbox, which
 * needs no codes beyond the kit's; a code of its own would be declared here.
 */
export const emailErrors = defineErrors({});
