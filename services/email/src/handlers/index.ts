import type { EventHandlers } from '@storekeeper/messaging';
import type { Notifier } from '../domain/notifier.ts';
import { handleOrderConfirmed } from './order-confirmed.ts';
import { handleOrderRejected } from './order-rejected.ts';
import { handleUserEmailVerificationRequested } from './user-email-verification-requested.ts';
import { handleUserSignedUp } from './user-signed-up.ts';

export interface EmailHandlerDeps {
  readonly notifier: Notifier;
  /** Where the verification link points: the web app's page that posts the token. */
  readonly verifyEmailUrl: string;
}

/** Every event type the email queue receives, and who handles it. */
export function emailHandlers(deps: EmailHandlerDeps): EventHandlers<'email', undefined> {
  return {
    'user.signed-up': handleUserSignedUp(deps.notifier),
    'user.email-verification-requested': handleUserEmailVerificationRequested(deps),
    'order.confirmed': handleOrderConfirmed(deps.notifier),
    'order.rejected': handleOrderRejected(deps.notifier),
  };
}
