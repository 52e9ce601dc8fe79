import { describe, expect, it } from 'vitest';
import {
  orderConfirmedEmail,
  orderRejectedEmail,
  verificationEmail,
} from '../../src/domain/templates.ts';

const orderId = '5f0d6a3e-1c2b-4d7e-9f80-3a4b5c6d7e8f';

describe('verificationEmail', () => {
  const expiresAt = new Date('2026-11-26T10:00:00.000Z');
  const email = verificationEmail({
    name: 'Ada <script>alert(1)</script>',
    link: 'https://shop.example/verify?token=abc&x=1',
    token: 'abc',
    expiresAt,
  });

  it('gives the link, the token and until when they work', () => {
    expect(email.subject).toBe('Verify your email address');
    expect(email.text).toContain('https://shop.example/verify?token=abc&x=1');
    expect(email.text).toContain('POST /api/users/verify-email: abc');
    expect(email.text).toContain(expiresAt.toUTCString());
  });

  it('escapes what users wrote in the HTML part, and only there', () => {
    expect(email.html).toContain('Ada &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('href="https://shop.example/verify?token=abc&amp;x=1"');
    expect(email.text).toContain('Hello Ada <script>alert(1)</script>,');
  });
});

describe('orderConfirmedEmail', () => {
  it('says what was charged, in the order currency', () => {
    const email = orderConfirmedEmail({
      name: 'Grace',
      orderId,
      totalCents: 2_500,
      currency: 'EUR',
    });
    expect(email.subject).toBe('Your order is confirmed');
    expect(email.text).toContain(`Your order ${orderId} is confirmed. We charged €25.00.`);
    expect(email.html).toContain('€25.00');
  });
});

describe('orderRejectedEmail', () => {
  it('explains a known reason in words and says nothing was charged', () => {
    const email = orderRejectedEmail({
      name: 'Grace',
      orderId,
      reason: 'INSUFFICIENT_CREDIT',
      totalCents: 250_000,
      currency: 'EUR',
    });
    expect(email.subject).toBe('Your order could not be placed');
    expect(email.text).toContain(
      `(€2,500.00) was rejected: the order is over your available credit. Nothing was charged.`,
    );
  });

  it('shows a reason it has no words for as it came, escaped in HTML', () => {
    const email = orderRejectedEmail({
      name: 'Grace',
      orderId,
      reason: 'FRAUD_<CHECK>',
      totalCents: 100,
      currency: 'USD',
    });
    expect(email.text).toContain('was rejected: FRAUD_<CHECK>.');
    expect(email.html).toContain('was rejected: FRAUD_&lt;CHECK&gt;.');
  });
});
