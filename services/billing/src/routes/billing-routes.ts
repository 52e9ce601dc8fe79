import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BillingAccount } from '@storekeeper/contracts';
import { NotFoundError, type PostgresPool, problemResponses } from '@storekeeper/platform';
import type { onRequestAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import { findAccount } from '../adapters/billing-store.ts';

export interface BillingRoutesDeps {
  readonly pool: PostgresPool;
  readonly authenticate: onRequestAsyncHookHandler;
}

async function accountView(pool: PostgresPool, userId: string) {
  const found = await findAccount(pool, userId);
  if (!found) {
    // Also the answer in the moments between sign-up and user.signed-up being handled.
    throw new NotFoundError('There is no billing account for this user', {
      code: 'BILLING_ACCOUNT_NOT_FOUND',
    });
  }
  const { account, charges } = found;
  return {
    userId: account.userId,
    billingAddress: account.billingAddress,
    currency: account.currency,
    creditLimitCents: account.creditLimitCents,
    availableCents: account.availableCents,
    openedAt: account.openedAt.toISOString(),
    recentCharges: charges.map((charge) => ({
      orderId: charge.orderId,
      amountCents: charge.amountCents,
      currency: charge.currency,
      chargedAt: charge.chargedAt.toISOString(),
    })),
  };
}

/** The caller's own account (public, through the gateway) and any account (internal). */
export function billingRoutes(deps: BillingRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/billing/account',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'The caller’s billing account',
          tags: ['billing'],
          security: [{ bearerAuth: [] }],
          response: { 200: BillingAccount, ...problemResponses(401, 404) },
        },
      },
      async (request) => accountView(deps.pool, request.caller?.userId ?? ''),
    );

    app.get(
      '/internal/billing/accounts/:userId',
      {
        schema: {
          summary: 'A user’s billing account, for other services',
          tags: ['internal'],
          params: Type.Object({ userId: Type.String({ format: 'uuid' }) }),
          response: { 200: BillingAccount, ...problemResponses(404) },
        },
      },
      async (request) => accountView(deps.pool, request.params.userId),
    );
  };
}
