import type { EventHandler } from '@storekeeper/messaging';
import type { Notifier } from '../domain/notifier.ts';
import { verificationEmail } from '../domain/templates.ts';

export interface VerificationEmailDeps {
  readonly notifier: Notifier;
  /** Where the verification link points: the web app's page that posts the token. */
  readonly verifyEmailUrl: string;
}

/** Sends the verification email to the address the event names, with its one-time link. */
export function handleUserEmailVerificationRequested(
  deps: VerificationEmailDeps,
): EventHandler<'user.email-verification-requested', undefined> {
  return async (event, { logger }) => {
    const { email, name, verificationToken, expiresAt } = event.data;
    const link = `${deps.verifyEmailUrl}?token=${encodeURIComponent(verificationToken)}`;
    const delivery = await deps.notifier.notifyAddress({
      eventId: event.id,
      kind: 'email-verification',
      to: email,
      message: verificationEmail({
        name,
        link,
        token: verificationToken,
        expiresAt: new Date(expiresAt),
      }),
    });
    logger.info({ kind: delivery.kind, status: delivery.status }, 'email delivered');
  };
}
