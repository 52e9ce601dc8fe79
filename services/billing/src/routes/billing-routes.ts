import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BillingAccount } from '@storekeeper/contracts';
import { callerOf, type PostgresPool } from '@storekeeper/platform';
import type { onRequestAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { AccountView } from '../domain/billing-account.ts';
import type { BillingService } from '../domain/billing-service.ts';
import { billingErrors } from '../errors.ts';

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
          response: {
            200: BillingAccount,
            // The hook verifies the token against the user service's JWKS, which can be
            // out of reach (JWKS_UNAVAILABLE) as well as the token bad (INVALID_TOKEN).
            ...billingErrors.responses(
              'INVALID_TOKEN',
              'JWKS_UNAVAILABLE',
              'BILLING_ACCOUNT_NOT_FOUND',
            ),
          },
        },
      },
      async (request) => accountOf(callerOf(request).userId),
    );

    app.get(
      '/internal/billing/accounts/:userId',
      {
        schema: {
          summary: 'A user’s billing account, for other services',
          tags: ['internal'],
          params: Type.Object({ userId: Type.String({ format: 'uuid' }) }),
          response: {
            200: BillingAccount,
            ...billingErrors.responses('INVALID_INPUT', 'BILLING_ACCOUNT_NOT_FOUND'),
          },
        },
      },
      async (request) => accountOf(request.params.userId),
    );
  };
}
