import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Mailbox, MailboxQuery } from '@storekeeper/contracts';
import type { DeliveryStore } from '../domain/delivery-store.ts';
import { emailErrors } from '../errors.ts';

/** The development mailbox: what the system sent to an address. Not registered in production. */
export function mailboxRoutes(deliveries: DeliveryStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/dev/mailbox',
      {
        schema: {
          summary: 'Emails sent to an address, newest first (development only)',
          tags: ['development'],
          querystring: MailboxQuery,
          response: { 200: Mailbox, ...emailErrors.responses('INVALID_INPUT') },
        },
      },
      async (request) => {
        const sent = await deliveries.listFor(request.query.to.toLowerCase());
        return {
          messages: sent.map((d) => ({
            id: d.eventId,
            to: d.to,
            subject: d.subject,
            text: d.text ?? '',
            html: d.html ?? '',
            kind: d.kind,
            status: d.status,
            createdAt: d.createdAt,
          })),
        };
      },
    );
  };
}
