import { RetryLaterError } from '@storekeeper/messaging/retry-later';
import { describe, expect, it } from 'vitest';
import type { Delivery, DeliveryStore } from '../../src/domain/delivery-store.ts';
import type { EmailMessage } from '../../src/domain/email-message.ts';
import type { Mailer, SendResult } from '../../src/domain/mailer.ts';
import { createNotifier } from '../../src/domain/notifier.ts';
import type { Recipient, RecipientDirectory } from '../../src/domain/recipient-directory.ts';

// The notifier's own ports, held in memory: these tests are about its rules, the DynamoDB
// and SES adapters are tested against real backends.
function memoryDeliveries(): DeliveryStore & { readonly all: Delivery[] } {
  const all: Delivery[] = [];
  return {
    all,
    async record(delivery) {
      all.push(delivery);
    },
    async listFor(to) {
      return all.filter((d) => d.to === to).reverse();
    },
  };
}

function memoryRecipients(): RecipientDirectory {
  const byId = new Map<string, Recipient>();
  return {
    async save(recipient) {
      byId.set(recipient.userId, recipient);
    },
    async find(userId) {
      return byId.get(userId);
    },
  };
}

function recordingMailer(answer: SendResult | Error): Mailer & {
  readonly sent: { to: string; message: EmailMessage }[];
} {
  const sent: { to: string; message: EmailMessage }[] = [];
  return {
    sent,
    async send(to, message) {
      if (answer instanceof Error) throw answer;
      sent.push({ to, message });
      return answer;
    },
  };
}

const message: EmailMessage = { subject: 'Hello', text: 'Hi there', html: '<p>Hi there</p>' };
const at = new Date('2026-11-25T10:00:00.000Z');

function setUp(options: { answer?: SendResult | Error; keepBodies?: boolean } = {}) {
  const mailer = recordingMailer(options.answer ?? { status: 'recorded' });
  const deliveries = memoryDeliveries();
  const recipients = memoryRecipients();
  const notifier = createNotifier({
    mailer,
    deliveries,
    recipients,
    keepBodies: options.keepBodies ?? true,
    now: () => at,
  });
  return { notifier, mailer, deliveries };
}

describe('notifier', () => {
  it('sends to the address, then records the delivery with what the mailer answered', async () => {
    const { notifier, mailer, deliveries } = setUp({
      answer: { status: 'sent', providerMessageId: 'ses-1' },
    });
    const delivery = await notifier.notifyAddress({
      eventId: 'event-1',
      kind: 'email-verification',
      to: 'ada@example.com',
      message,
    });

    expect(mailer.sent).toEqual([{ to: 'ada@example.com', message }]);
    expect(delivery).toEqual({
      eventId: 'event-1',
      kind: 'email-verification',
      to: 'ada@example.com',
      subject: 'Hello',
      text: 'Hi there',
      html: '<p>Hi there</p>',
      status: 'sent',
      providerMessageId: 'ses-1',
      createdAt: '2026-11-25T10:00:00.000Z',
    });
    expect(deliveries.all).toEqual([delivery]);
  });

  it('keeps no bodies when told not to, since they carry one-time tokens', async () => {
    const { notifier, deliveries } = setUp({ keepBodies: false });
    await notifier.notifyAddress({ eventId: 'e', kind: 'k', to: 'ada@example.com', message });
    expect(deliveries.all[0]).not.toHaveProperty('text');
    expect(deliveries.all[0]).not.toHaveProperty('html');
    expect(deliveries.all[0]).toMatchObject({ subject: 'Hello', status: 'recorded' });
    expect(deliveries.all[0]).not.toHaveProperty('providerMessageId');
  });

  it('records nothing when sending fails, so the redelivered event sends again', async () => {
    const { notifier, deliveries } = setUp({ answer: new Error('SES throttled') });
    await expect(
      notifier.notifyAddress({ eventId: 'e', kind: 'k', to: 'ada@example.com', message }),
    ).rejects.toThrow('SES throttled');
    expect(deliveries.all).toEqual([]);
  });

  it('emails a learnt user at their address, rendered with what is known of them', async () => {
    const { notifier, mailer } = setUp();
    await notifier.learnRecipient({ userId: 'u1', email: 'grace@example.com', name: 'Grace' });
    const delivery = await notifier.notifyUser({
      eventId: 'e',
      kind: 'order-confirmed',
      userId: 'u1',
      render: (recipient) => ({ ...message, subject: `Hello ${recipient.name}` }),
    });
    expect(mailer.sent[0]?.to).toBe('grace@example.com');
    expect(delivery).toMatchObject({ to: 'grace@example.com', subject: 'Hello Grace' });
  });

  it('sends nothing to a user it has not learnt yet and asks to be retried later', async () => {
    const { notifier, mailer, deliveries } = setUp();
    const notifying = notifier.notifyUser({
      eventId: 'e',
      kind: 'order-confirmed',
      userId: 'u2',
      render: () => message,
    });
    await expect(notifying).rejects.toBeInstanceOf(RetryLaterError);
    await expect(notifying).rejects.toThrow('no recipient known for user u2 yet');
    expect(mailer.sent).toEqual([]);
    expect(deliveries.all).toEqual([]);
  });
});
