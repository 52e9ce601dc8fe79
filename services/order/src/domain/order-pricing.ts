import { orderErrors } from '../errors.ts';
import type { OrderLine } from './order.ts';

/** A catalogue entry: what can be ordered and what one unit costs. */
export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  /** ISO 4217. */
  readonly currency: string;
}

export interface RequestedItem {
  readonly sku: string;
  readonly quantity: number;
}

export interface PricedItems {
  readonly items: readonly OrderLine[];
  readonly currency: string;
}

/**
 * The lines of an order at today's catalogue prices, in the order requested. A sku that
 * is not in the catalogue is the client's mistake (422 UNKNOWN_SKU naming it); products
 * in different currencies cannot share one total, which the catalogue never allows.
 */
export function priceItems(
  requested: readonly RequestedItem[],
  catalogue: readonly Product[],
): PricedItems {
  const bySku = new Map(catalogue.map((product) => [product.sku, product]));
  const unknown = [...new Set(requested.map((item) => item.sku))].filter((sku) => !bySku.has(sku));
  if (unknown.length > 0) {
    throw orderErrors.create(
      'UNKNOWN_SKU',
      `The catalogue has no product ${unknown.join(', ')}: see GET /products`,
    );
  }
  const items = requested.map(({ sku, quantity }) => {
    const product = bySku.get(sku) as Product;
    return { sku, name: product.name, quantity, unitPriceCents: product.priceCents };
  });
  const currencies = new Set(requested.map(({ sku }) => bySku.get(sku)?.currency));
  const [currency] = currencies;
  if (currencies.size !== 1 || !currency) {
    throw new Error(`cannot price one order in ${[...currencies].join(' and ')}`);
  }
  return { items, currency };
}
