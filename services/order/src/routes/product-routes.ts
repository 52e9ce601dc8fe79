import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ProductList } from '@storekeeper/contracts';
import type { OrderService } from '../domain/order-service.ts';
import { toProductResponse } from './order-response.ts';

/** The catalogue: public, the same for everyone. */
export function productRoutes(
  orders: Pick<OrderService<unknown>, 'products'>,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/products',
      {
        schema: {
          summary: 'The product catalogue',
          tags: ['products'],
          response: { 200: ProductList },
        },
      },
      async (_request, reply) => {
        const items = (await orders.products()).map(toProductResponse);
        // Prices change rarely and orders are priced on the server: a minute of caching is safe.
        return reply.header('cache-control', 'public, max-age=60').send({ items });
      },
    );
  };
}
