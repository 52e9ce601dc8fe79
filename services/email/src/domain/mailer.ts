import type { EmailMessage } from './email-message.ts';

export interface SendResult {
  /** `recorded` when sending is off: nothing left the system. */
  readonly status: 'sent' | 'recorded';
  /** The provider's id, to trace a bounce or complaint back to the delivery. */
  readonly providerMessageId?: string;
}

/** The way out for an email; the domain does not know which provider is behind it. */
export interface Mailer {
  send(to: string, message: EmailMessage): Promise<SendResult>;
}
