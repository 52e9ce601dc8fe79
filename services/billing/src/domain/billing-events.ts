import type { EventData } from '@storekeeper/contracts';

/** An event the billing service publishes, before it is put in its envelope. */
export type BillingEvent =
  | { readonly type: 'payment.succeeded'; readonly data: EventData<'payment.succeeded'> }
  | { readonly type: 'payment.failed'; readonly data: EventData<'payment.failed'> };
