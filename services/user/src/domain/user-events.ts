import type { EventData } from '@storekeeper/contracts';

/** An event the user service publishes, before it is put in its envelope. */
export type UserEvent =
  | { readonly type: 'user.signed-up'; readonly data: EventData<'user.signed-up'> }
  | {
      readonly type: 'user.email-verification-requested';
      readonly data: EventData<'user.email-verification-requested'>;
    }
  | { readonly type: 'user.email-verified'; readonly data: EventData<'user.email-verified'> };
