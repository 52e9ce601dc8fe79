import { type Static, Type } from 'typebox';
import { EmailAddress } from '../events/common-schemas.ts';

export const MailboxMessage = Type.Object(
  {
    id: Type.String(),
    to: EmailAddress,
    subject: Type.String(),
    text: Type.String(),
    html: Type.String(),
    kind: Type.String({ description: 'Which notification, e.g. email-verification' }),
    status: Type.Union([Type.Literal('sent'), Type.Literal('recorded')], {
      description: 'sent through SES, or only recorded because sending is disabled',
    }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'MailboxMessage' },
);
export type MailboxMessage = Static<typeof MailboxMessage>;

export const MailboxQuery = Type.Object(
  { to: EmailAddress },
  { additionalProperties: false, title: 'MailboxQuery' },
);

export const Mailbox = Type.Object(
  { messages: Type.Array(MailboxMessage, { description: 'Newest first' }) },
  { title: 'Mailbox' },
);
