import type {
  Order as OrderResponse,
  OrderSummary,
  Product as ProductResponse,
} from '@storekeeper/contracts';
import type { Order } from '../domain/order.ts';
import type { Product } from '../domain/order-pricing.ts';
import type { OrderView } from '../domain/order-service.ts';

/**
 * The API's view of orders: named fields only, so nothing internal (the owner, the
 * version) leaks out, and dates as ISO 8601 text.
 */

export function toProductResponse(product: Product): ProductResponse {
  return {
    sku: product.sku,
    name: product.name,
    priceCents: product.priceCents,
    currency: product.currency,
  };
}

export function toOrderResponse({ order, history }: OrderView): OrderResponse {
  return {
    id: order.id,
    status: order.status,
    items: order.items.map((line) => ({
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
      lineTotalCents: line.quantity * line.unitPriceCents,
    })),
    totalCents: order.totalCents,
    currency: order.currency,
    ...(order.reason ? { reason: order.reason } : {}),
    placedAt: order.placedAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    history: history.map((change) => ({
      status: change.status,
      at: change.at.toISOString(),
      ...(change.reason ? { reason: change.reason } : {}),
    })),
  };
}

export function toOrderSummary(order: Order): OrderSummary {
  return {
    id: order.id,
    status: order.status,
    itemCount: order.items.reduce((units, line) => units + line.quantity, 0),
    totalCents: order.totalCents,
    currency: order.currency,
    ...(order.reason ? { reason: order.reason } : {}),
    placedAt: order.placedAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
