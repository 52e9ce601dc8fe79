import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BillingAccount } from '@storekeeper/contracts';
import { type PostgresPool, problemResponses } from '@storekeeper/platform';
import type { onRequestAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { AccountView } from '../domain/billing-account.ts';
import type { BillingService } from '../domain/billing-service.ts';

export interface BillingRoutesDeps {
  readonly billing: Pick<BillingService<unknown, PostgresPool>, 'accountView'>;
  /** Where the account is read from. */
  readonly pool: PostgresPool;
  readonly authenticate: onRequestAsyncHookHandler;
}

/** The account as the API sends it: named fields only, so nothing internal leaks out. */
export function toAccountResponse({ account, recentCharges }: AccountView): BillingAccount {
  return {
    userId: account.userId,
    billingAddress: account.billingAddress,
    currency: account.currency,
    creditLimitCents: account.creditLimitCents,
    availableCents: account.availableCents,
    openedAt: account.openedAt.toISOString(),
    recentCharges: recentCharges.map((charge) => ({
      orderId: charge.orderId,
      amountCents: charge.amountCents,
      currency: charge.currency,
      chargedAt: charge.chargedAt.toISOString(),
    })),
  };
}

/** The caller's own account (public, through the gateway) and any account (internal). */
export function billingRoutes(deps: BillingRoutesDeps): FastifyPluginAsyncTypebox {
  const accountOf = async (userId: string) =>
    toAccountResponse(await deps.billing.accountView(deps.pool, userId));

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
      async (request) => accountOf(request.caller?.userId ?? ''),
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
      async (request) => accountOf(request.params.userId),
    );
  };
}
