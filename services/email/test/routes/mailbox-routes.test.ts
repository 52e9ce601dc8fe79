import { randomUUID } from 'node:crypto';
import { createLifecycle, type ServiceApp } from '@storekeeper/platform';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { createDynamoDeliveryStore } from '../../src/adapters/dynamo-delivery-store.ts';
import { buildApp } from '../../src/app.ts';
import { createEmailTable, type EmailTable, emailConfig, logger, mailbox } from '../helper.ts';

describeWithBackends('mailbox routes', () => {
  let table: EmailTable;
  let app: ServiceApp;
  beforeAll(async () => {
    table = await createEmailTable();
    const config = await emailConfig(table.tableName);
    app = await buildApp({ config, logger, lifecycle: createLifecycle(), dynamo: table.dynamo });
    return async () => {
      await app.close();
      table.close();
    };
  });

  it('shows what was sent to an address, newest first, whatever the case of the query', async () => {
    const to = `${randomUUID()}@example.com`;
    const deliveries = createDynamoDeliveryStore(table.documents, table.tableName);
    const base = { to, kind: 'order-confirmed', subject: 'Your order is confirmed' } as const;
    await deliveries.record({
      ...base,
      eventId: 'older',
      text: 'first',
      html: '<p>first</p>',
      status: 'sent',
      providerMessageId: 'ses-1',
      createdAt: '2026-11-25T10:00:00.000Z',
    });
    // Recorded in production: no bodies kept.
    await deliveries.record({
      ...base,
      eventId: 'newer',
      status: 'recorded',
      createdAt: '2026-11-25T11:00:00.000Z',
    });

    expect(await mailbox(app, to.toUpperCase())).toEqual([
      {
        ...base,
        id: 'newer',
        text: '',
        html: '',
        status: 'recorded',
        createdAt: '2026-11-25T11:00:00.000Z',
      },
      {
        ...base,
        id: 'older',
        text: 'first',
        html: '<p>first</p>',
        status: 'sent',
        createdAt: '2026-11-25T10:00:00.000Z',
      },
    ]);
  });

  it('answers 400 naming the field for a malformed mailbox query', async () => {
    const response = await app.inject({ url: '/dev/mailbox?to=not-an-address' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ in: 'querystring', field: 'to' });
  });

  it('is not served in production, where bodies with one-time tokens must not be shown', async () => {
    const config = await emailConfig(table.tableName, { NODE_ENV: 'production' });
    const production = await buildApp({
      config,
      logger,
      lifecycle: createLifecycle(),
      dynamo: table.dynamo,
    });
    const response = await production.inject({ url: '/dev/mailbox?to=ada@example.com' });
    await production.close();
    expect(response.statusCode).toBe(404);
  });
});
