import { Type } from 'typebox';

/**
 * Building blocks of event payloads. Ids are UUID strings, money is an integer count of
 * minor units with its ISO 4217 currency beside it, countries are ISO 3166-1 alpha-2:
 * the same conventions as the public API (DESIGN §3), so nothing is converted in between.
 */

export const Uuid = (description: string) => Type.String({ format: 'uuid', description });

export const EmailAddress = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'An email address (RFC 5321 length limit)',
});

export const CurrencyCode = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 alphabetic currency code, e.g. EUR',
  examples: ['EUR'],
});

export const AmountCents = (description: string) =>
  Type.Integer({ minimum: 0, description: `${description}, in minor units of the currency` });

export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code, e.g. DE',
  examples: ['DE'],
});

export const Sku = Type.String({
  pattern: '^[A-Z0-9][A-Z0-9-]{1,63}$',
  description: 'Stock keeping unit of a catalogue product',
  examples: ['MUG-BLUE'],
});

/**
 * Free text a person types: at least one character that is not white space, so a name of
 * spaces or control characters is refused at the edge (400 naming the field) rather than
 * trimmed to nothing inside a service. The kit words a failure as "must not be blank".
 */
export const NOT_BLANK_PATTERN = '\\S';
export const Text = (options: { maxLength: number; description?: string }) =>
  Type.String({ minLength: 1, pattern: NOT_BLANK_PATTERN, ...options });

export const PostalAddress = Type.Object(
  {
    line1: Text({ maxLength: 200 }),
    city: Text({ maxLength: 100 }),
    postalCode: Text({ maxLength: 20 }),
    country: CountryCode,
  },
  { description: 'A postal address as entered at sign-up' },
);
