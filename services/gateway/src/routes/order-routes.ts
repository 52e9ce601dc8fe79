import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  Order,
  OrderList,
  OrderListQuery,
  PlaceOrderHeaders,
  PlaceOrderRequest,
  ProductList,
} from '@storekeeper/contracts';
import type { onRequestAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { Upstreams } from '../adapters/upstreams.ts';
import { gatewayErrors } from '../errors.ts';
import { forward } from './forward.ts';

export interface OrderRoutesDeps {
  readonly upstreams: Upstreams;
  readonly authenticate: onRequestAsyncHookHandler;
}

const bearer = [{ bearerAuth: [] }];
const unavailable = ['UPSTREAM_UNAVAILABLE', 'OVERLOADED'] as const;
const unauthenticated = ['INVALID_TOKEN', 'JWKS_UNAVAILABLE'] as const;

/** The catalogue and the caller's orders: DESIGN §3. The order service owns both. */
export function orderRoutes(deps: OrderRoutesDeps): FastifyPluginAsyncTypebox {
  const { order } = deps.upstreams;
  return async (app) => {
    app.get(
      '/api/products',
      {
        schema: {
          summary: 'The product catalogue',
          tags: ['orders'],
          response: { 200: ProductList, ...gatewayErrors.responses(...unavailable) },
        },
      },
      async (request, reply) => {
        await forward(request, reply, order, { method: 'GET', path: '/products' });
      },
    );

    app.post(
      '/api/orders',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'Place an order; it is PENDING until billing has charged it',
          description:
            'Requires `Idempotency-Key`: the same key with the same body returns the first response, with another body 422; while the first is in flight, 409.',
          tags: ['orders'],
          security: bearer,
          headers: PlaceOrderHeaders,
          body: PlaceOrderRequest,
          response: {
            202: Order,
            ...gatewayErrors.responses(
              'INVALID_INPUT',
              'INVALID_JSON',
              ...unauthenticated,
              'EMAIL_NOT_VERIFIED',
              'IDEMPOTENCY_KEY_IN_FLIGHT',
              'UNKNOWN_SKU',
              'IDEMPOTENCY_KEY_REUSED',
              ...unavailable,
            ),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, order, {
          method: 'POST',
          path: '/orders',
          body: request.body,
          passHeaders: ['idempotency-key'],
        });
      },
    );

    app.get(
      '/api/orders',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'The caller’s orders, newest first',
          tags: ['orders'],
          security: bearer,
          querystring: OrderListQuery,
          response: {
            200: OrderList,
            ...gatewayErrors.responses('INVALID_INPUT', ...unauthenticated, ...unavailable),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, order, {
          method: 'GET',
          path: `/orders?limit=${request.query.limit}`,
        });
      },
    );

    app.get(
      '/api/orders/:orderId',
      {
        onRequest: deps.authenticate,
        schema: {
          summary: 'One of the caller’s orders, with its history',
          tags: ['orders'],
          security: bearer,
          params: Type.Object({ orderId: Type.String({ format: 'uuid' }) }),
          response: {
            200: Order,
            ...gatewayErrors.responses(
              'INVALID_INPUT',
              ...unauthenticated,
              'ORDER_NOT_FOUND',
              ...unavailable,
            ),
          },
        },
      },
      async (request, reply) => {
        await forward(request, reply, order, {
          method: 'GET',
          path: `/orders/${encodeURIComponent(request.params.orderId)}`,
        });
      },
    );
  };
}
