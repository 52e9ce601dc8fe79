/**
 * One customer's whole journey against a running system, as a smoke check of a build:
 * sign-up, the verification email, login, the billing account, an order placed and
 * confirmed, the confirmation email. It touches every service, both databases, the
 * queues and the topics. Exits 0 and prints what it saw, or exits 1 naming the step.
 *
 *   node --conditions=@storekeeper/source e2e/src/journey.ts <gateway URL>
 *
 * .ci/run runs it against the system started from the services' bundles (`serve --from
 * dist`), the code the images run.
 */
import { waitFor } from '@storekeeper/testing';
import { createApiClient, type MailboxMessage } from './api-client.ts';
import { verifiedCustomer } from './verified-customer.ts';

export async function customerJourney(gatewayUrl: string): Promise<string> {
  const api = createApiClient(gatewayUrl);
  const customer = await verifiedCustomer(api);
  const products = await api.get<{ items: { sku: string; priceCents: number }[] }>('/api/products');
  const product = products.body.items[0];
  if (!product) throw new Error(`GET /api/products answered ${products.status} with no product`);
  const placed = await api.postWith<{ id: string }>(
    '/api/orders',
    { items: [{ sku: product.sku, quantity: 1 }] },
    { token: customer.token, headers: { 'idempotency-key': crypto.randomUUID() } },
  );
  if (placed.status !== 202) {
    throw new Error(`placing an order answered ${placed.status}: ${JSON.stringify(placed.body)}`);
  }
  const status = await waitFor(
    async () => {
      const order = await api.get<{ status: string }>(
        `/api/orders/${placed.body.id}`,
        customer.token,
      );
      return order.body.status === 'PENDING' ? undefined : order.body.status;
    },
    { timeout: 30_000, description: `order ${placed.body.id} to leave PENDING` },
  );
  if (status !== 'CONFIRMED') throw new Error(`order ${placed.body.id} ended ${status}`);
  await waitFor(
    async () => {
      const to = encodeURIComponent(customer.email);
      const found = await api.get<{ messages: MailboxMessage[] }>(`/api/dev/mailbox?to=${to}`);
      return found.body.messages.some((m) => m.kind === 'order-confirmed') ? true : undefined;
    },
    { timeout: 30_000, description: 'the order confirmation email' },
  );
  return `customer ${customer.id} signed up, verified, ordered ${product.sku}: order ${placed.body.id} CONFIRMED, confirmation emailed`;
}

if (import.meta.main) {
  const [url] = process.argv.slice(2);
  if (!url) {
    console.error('usage: journey.ts <gateway URL>');
    process.exit(2);
  }
  try {
    console.info(await customerJourney(url));
  } catch (error) {
    console.error(`journey failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
