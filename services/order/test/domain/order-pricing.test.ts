import { UnprocessableError } from '@storekeeper/platform';
import { describe, expect, it } from 'vitest';
import { type Product, priceItems } from '../../src/domain/order-pricing.ts';

const catalogue: Product[] = [
  { sku: 'MUG-BLUE', name: 'Blue enamel mug', priceCents: 1250, currency: 'EUR' },
  { sku: 'HOODIE-GREY', name: 'Grey hoodie', priceCents: 5900, currency: 'EUR' },
];

describe('pricing an order', () => {
  it('takes names and prices from the catalogue, in the order requested', () => {
    expect(
      priceItems(
        [
          { sku: 'HOODIE-GREY', quantity: 1 },
          { sku: 'MUG-BLUE', quantity: 3 },
        ],
        catalogue,
      ),
    ).toEqual({
      currency: 'EUR',
      items: [
        { sku: 'HOODIE-GREY', name: 'Grey hoodie', quantity: 1, unitPriceCents: 5900 },
        { sku: 'MUG-BLUE', name: 'Blue enamel mug', quantity: 3, unitPriceCents: 1250 },
      ],
    });
  });

  it('refuses unknown skus with 422 UNKNOWN_SKU naming each of them once', () => {
    const attempt = () =>
      priceItems(
        [
          { sku: 'NOPE-1', quantity: 1 },
          { sku: 'MUG-BLUE', quantity: 1 },
          { sku: 'NOPE-2', quantity: 1 },
          { sku: 'NOPE-1', quantity: 2 },
        ],
        catalogue,
      );
    expect(attempt).toThrow(UnprocessableError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'UNKNOWN_SKU', status: 422 }));
    expect(attempt).toThrow('The catalogue has no product NOPE-1, NOPE-2: see GET /products');
  });

  it('will not add up prices in different currencies', () => {
    const mixed = [
      ...catalogue,
      { sku: 'MUG-RED', name: 'Red mug', priceCents: 900, currency: 'GBP' },
    ];
    expect(() =>
      priceItems(
        [
          { sku: 'MUG-BLUE', quantity: 1 },
          { sku: 'MUG-RED', quantity: 1 },
        ],
        mixed,
      ),
    ).toThrow(/EUR and GBP/);
  });
});
