import { type EmailMessage, escapeHtml, layout } from './email-message.ts';

export function verificationEmail(input: {
  name: string;
  link: string;
  token: string;
  expiresAt: Date;
}): EmailMessage {
  const until = input.expiresAt.toUTCString();
  const subject = 'Verify your email address';
  return {
    subject,
    text: [
      `Hello ${input.name},`,
      '',
      'Please confirm your email address by opening this link:',
      input.link,
      '',
      `Or send this token to POST /api/users/verify-email: ${input.token}`,
      '',
      `The link works once, until ${until}. If you did not sign up, ignore this email.`,
    ].join('\n'),
    html: layout(
      subject,
      `<p>Hello ${escapeHtml(input.name)},</p>
<p>Please confirm your email address:</p>
<p><a href="${escapeHtml(input.link)}">Verify my email address</a></p>
<p>The link works once, until ${escapeHtml(until)}. If you did not sign up, ignore this email.</p>`,
    ),
  };
}

function money(cents: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100);
}

export function orderConfirmedEmail(input: {
  name: string;
  orderId: string;
  totalCents: number;
  currency: string;
}): EmailMessage {
  const subject = 'Your order is confirmed';
  const total = money(input.totalCents, input.currency);
  return {
    subject,
    text: `Hello ${input.name},\n\nYour order ${input.orderId} is confirmed. We charged ${total}.`,
    html: layout(
      subject,
      `<p>Hello ${escapeHtml(input.name)},</p><p>Your order <code>${escapeHtml(input.orderId)}</code> is confirmed. We charged ${escapeHtml(total)}.</p>`,
    ),
  };
}

const reasons: Record<string, string> = {
  INSUFFICIENT_CREDIT: 'the order is over your available credit',
};

export function orderRejectedEmail(input: {
  name: string;
  orderId: string;
  reason: string;
  totalCents: number;
  currency: string;
}): EmailMessage {
  const subject = 'Your order could not be placed';
  const why = reasons[input.reason] ?? input.reason;
  const total = money(input.totalCents, input.currency);
  return {
    subject,
    text: `Hello ${input.name},\n\nYour order ${input.orderId} (${total}) was rejected: ${why}. Nothing was charged.`,
    html: layout(
      subject,
      `<p>Hello ${escapeHtml(input.name)},</p><p>Your order <code>${escapeHtml(input.orderId)}</code> (${escapeHtml(total)}) was rejected: ${escapeHtml(why)}. Nothing was charged.</p>`,
    ),
  };
}
