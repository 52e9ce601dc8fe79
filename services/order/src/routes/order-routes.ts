import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  Order,
  OrderList,
  OrderListQuery,
  PlaceOrderHeaders,
  PlaceOrderRequest,
} from '@storekeeper/contracts';
import { callerOf } from '@storekeeper/platform';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import { normaliseIdempotencyKey } from '../domain/idempotency.ts';
import type { OrderService } from '../domain/order-service.ts';
import { orderErrors } from '../errors.ts';
import { toOrderResponse, toOrderSummary } from './order-response.ts';

export interface OrderRoutesDeps {
  readonly orders: Pick<OrderService<unknown>, 'placeOrder' | 'getOrder' | 'listOrders'>;
  readonly authenticate: onRequestAsyncHookHandler;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The caller's user id. The user service issues tokens for user ids (UUIDs) only; a token
 * with any other subject owns no orders and may place none.
 */
function ownerOf(request: FastifyRequest): string {
  const { userId } = callerOf(request);
  if (!UUID.test(userId)) {
    throw orderErrors.create('INVALID_TOKEN', 'The access token names no user');
  }
  return userId.toLowerCase();
}

// The hook verifies the token against the user service's JWKS, which can be out of reach
// (JWKS_UNAVAILABLE) as well as the token bad (INVALID_TOKEN).
const authErrors = ['INVALID_TOKEN', 'JWKS_UNAVAILABLE'] as const;

/** The caller's own orders; the gateway exposes them under /api. */
export function orderRoutes(deps: OrderRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/orders',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'Place an order',
          description:
            'Prices come from the catalogue. Needs a verified email (403 EMAIL_NOT_VERIFIED otherwise) and an `Idempotency-Key`: the same key with the same body answers the first response again (with `Idempotent-Replayed: true`), with another body 422, while the first request still runs 409. Keys are kept per user for IDEMPOTENCY_KEY_TTL_HOURS; a request that fails creates nothing and leaves its key free for a retry.',
          tags: ['orders'],
          security: [{ bearerAuth: [] }],
          headers: PlaceOrderHeaders,
          body: PlaceOrderRequest,
          response: {
            202: Order,
            ...orderErrors.responses(
              'INVALID_INPUT',
              'INVALID_JSON',
              ...authErrors,
              'EMAIL_NOT_VERIFIED',
              'IDEMPOTENCY_KEY_IN_FLIGHT',
              'UNKNOWN_SKU',
              'IDEMPOTENCY_KEY_REUSED',
              'UPSTREAM_UNAVAILABLE',
            ),
          },
        },
      },
      async (request, reply) => {
        const placed = await deps.orders.placeOrder({
          userId: ownerOf(request),
          idempotencyKey: normaliseIdempotencyKey(request.headers['idempotency-key']),
          items: request.body.items,
        });
        if (placed.replayed) void reply.header('idempotent-replayed', 'true');
        // 202: the order is taken, not yet paid; its status follows billing's answer.
        return reply
          .code(202)
          .header('location', `/api/orders/${placed.order.id}`)
          .send(toOrderResponse(placed));
      },
    );

    app.get(
      '/orders',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'The caller’s newest orders',
          tags: ['orders'],
          security: [{ bearerAuth: [] }],
          querystring: OrderListQuery,
          response: { 200: OrderList, ...orderErrors.responses('INVALID_INPUT', ...authErrors) },
        },
      },
      async (request) => {
        const orders = await deps.orders.listOrders(ownerOf(request), request.query.limit);
        return { items: orders.map(toOrderSummary) };
      },
    );

    app.get(
      '/orders/:id',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'One of the caller’s orders, with its history',
          tags: ['orders'],
          security: [{ bearerAuth: [] }],
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          response: {
            200: Order,
            // Another user's order is "not found" too: its existence is not the caller's business.
            ...orderErrors.responses('INVALID_INPUT', ...authErrors, 'ORDER_NOT_FOUND'),
          },
        },
      },
      async (request) =>
        toOrderResponse(await deps.orders.getOrder(ownerOf(request), request.params.id)),
    );
  };
}
