import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { InjectOptions } from 'fastify';
import { createLocalJWKSet } from 'jose';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { callerOf, createAuthenticationHook, createTokenVerifier } from '../src/authentication.ts';
import type { ServiceApp } from '../src/build-service-app.ts';
import { defineErrors, type KitErrorCode, kitErrors } from '../src/define-errors.ts';
import {
  type AppError,
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
} from '../src/errors.ts';
import { createLogger } from '../src/logger.ts';
import { createServiceClient } from '../src/service-client.ts';
import { buildTestApp } from './helper.ts';

const shopErrors = defineErrors({
  INVALID_SKU: { status: 400, title: 'Invalid SKU' },
  SESSION_EXPIRED: { status: 401, title: 'Session expired' },
  NOT_YOUR_CART: { status: 403, title: 'Not your cart' },
  CART_NOT_FOUND: { status: 404, title: 'Cart not found' },
  CART_CLOSED: { status: 409, title: 'Cart already closed' },
  KEY_REUSED: { status: 422, title: 'Idempotency key reused' },
  STOCK_UNAVAILABLE: { status: 503, title: 'Stock service unavailable' },
  CART_TOO_BIG: { status: 413, title: 'Cart too big' },
});

let app: ServiceApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('a service catalogue', () => {
  it.each([
    ['INVALID_SKU', InputError],
    ['SESSION_EXPIRED', AuthenticationError],
    ['NOT_YOUR_CART', NotAllowedError],
    ['CART_NOT_FOUND', NotFoundError],
    ['CART_CLOSED', ConflictError],
    ['KEY_REUSED', UnprocessableError],
    ['STOCK_UNAVAILABLE', ServiceUnavailableError],
  ] as const)('makes %s as the error class of its status', (code, errorClass) => {
    const cause = new Error('the reason underneath');
    const error = shopErrors.create(code, `${code} happened`, { cause });
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({
      code,
      status: shopErrors.specs[code].status,
      title: shopErrors.specs[code].title,
      message: `${code} happened`,
      cause,
    });
  });

  it('carries the extras of its status: field errors on a 400, Retry-After on a 503', () => {
    const errors = [{ in: 'body', field: 'sku', message: 'is not a SKU' }];
    expect(shopErrors.create('INVALID_SKU', 'body.sku: is not a SKU', { errors }).errors).toEqual(
      errors,
    );
    const unavailable = shopErrors.create('STOCK_UNAVAILABLE', 'no stock answer', {
      retryAfterSeconds: 9,
    });
    expect(unavailable.retryAfterSeconds).toBe(9);
  });

  it('includes the kit codes, and makes them too', () => {
    expect(shopErrors.specs.INVALID_INPUT).toEqual(kitErrors.specs.INVALID_INPUT);
    expect(shopErrors.create('UPSTREAM_UNAVAILABLE', 'stock is down')).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
    });
  });

  it('leaves the statuses the kit answers by itself out of create()', () => {
    // @ts-expect-error 413 is the kit's answer to a large body, never thrown by code
    expect(() => shopErrors.create('CART_TOO_BIG', 'too big')).toThrow(/not thrown by code/);
    // @ts-expect-error likewise 405
    expect(() => kitErrors.create('METHOD_NOT_ALLOWED', 'no')).toThrow(/not thrown by code/);
    // @ts-expect-error not a code of the catalogue
    expect(() => shopErrors.create('NO_SUCH_CODE', 'x')).toThrow(/not in the catalogue/);
  });

  it('answers through the one error handler with its status, title, code and detail', async () => {
    const routes: FastifyPluginAsyncTypebox = async (scope) => {
      scope.get('/sku', async () => {
        throw shopErrors.create('INVALID_SKU', 'body.sku: is not a SKU', {
          errors: [{ in: 'body', field: 'sku', message: 'is not a SKU' }],
        });
      });
      scope.get('/stock', async () => {
        throw shopErrors.create('STOCK_UNAVAILABLE', 'no stock answer', { retryAfterSeconds: 9 });
      });
    };
    ({ app } = await buildTestApp({ routes }));
    const sku = await app.inject('/sku');
    expect(sku.statusCode).toBe(400);
    expect(sku.json()).toMatchObject({
      type: '/problems/invalid-sku',
      title: 'Invalid SKU',
      status: 400,
      code: 'INVALID_SKU',
      detail: 'body.sku: is not a SKU',
      errors: [{ in: 'body', field: 'sku', message: 'is not a SKU' }],
    });
    const stock = await app.inject('/stock');
    expect(stock.statusCode).toBe(503);
    expect(stock.headers['retry-after']).toBe('9');
    expect(stock.json()).toMatchObject({ title: 'Stock service unavailable' });
  });

  it('refuses a redefined kit code, a code not in UPPER_SNAKE_CASE, a non-error status, no title', () => {
    expect(() =>
      // @ts-expect-error the kit's code
      defineErrors({ NOT_FOUND: { status: 404, title: 'Gone' } }),
    ).toThrow(/NOT_FOUND is the kit's/);
    expect(() => defineErrors({ emailTaken: { status: 409, title: 'Taken' } })).toThrow(
      /UPPER_SNAKE_CASE/,
    );
    // @ts-expect-error 302 is not an error status
    expect(() => defineErrors({ MOVED: { status: 302, title: 'Moved' } })).toThrow(/status 302/);
    expect(() => defineErrors({ BLANK: { status: 400, title: ' ' } })).toThrow(/no title/);
  });
});

describe('the classes, thrown without a code, answer as the kit catalogue says', () => {
  it.each([
    [() => new InputError('x'), 'INVALID_INPUT'],
    [() => new AuthenticationError(), 'UNAUTHENTICATED'],
    [() => new NotFoundError('x'), 'NOT_FOUND'],
    [() => new ServiceUnavailableError('x'), 'SERVICE_UNAVAILABLE'],
  ] as const)('%#: %s', (make, code) => {
    const error: AppError = make();
    const { status, title } = kitErrors.specs[code];
    expect({ code: error.code, status: error.status, title: error.title }).toEqual({
      code,
      status,
      title,
    });
  });
});

describe('responses(...codes)', () => {
  it('documents one problem+json response per status, naming the codes it can carry', () => {
    const responses = shopErrors.responses('INVALID_INPUT', 'CART_CLOSED', 'INVALID_SKU');
    expect(Object.keys(responses)).toEqual(['400', '409']);
    expect(responses[400]?.description).toContain('- `INVALID_INPUT`: Invalid input');
    expect(responses[400]?.description).toContain('- `INVALID_SKU`: Invalid SKU');
    expect(plain(responses[400]?.content['application/problem+json'].schema)).toEqual({
      allOf: [
        { $ref: 'Problem' },
        {
          type: 'object',
          required: ['status', 'code'],
          properties: {
            status: { type: 'integer', const: 400 },
            code: { enum: ['INVALID_INPUT', 'INVALID_SKU'] },
          },
        },
      ],
    });
  });

  it('refuses a code the catalogue does not have', () => {
    // @ts-expect-error not a code of the catalogue
    expect(() => shopErrors.responses('NO_SUCH_CODE')).toThrow(/not in the catalogue/);
  });

  it('puts the codes in the OpenAPI document and still sends every problem field', async () => {
    const routes: FastifyPluginAsyncTypebox = async (scope) => {
      scope.post(
        '/carts/:id/items',
        {
          schema: {
            params: Type.Object({ id: Type.String() }),
            body: Type.Object({ sku: Type.String() }),
            response: {
              201: Type.Object({ ok: Type.Boolean() }),
              ...shopErrors.responses('INVALID_INPUT', 'INVALID_SKU', 'CART_CLOSED'),
            },
          },
        },
        async (request) => {
          throw request.params.id === 'closed'
            ? shopErrors.create('CART_CLOSED', 'cart closed is closed')
            : shopErrors.create('INVALID_SKU', 'body.sku: is not a SKU', {
                errors: [{ in: 'body', field: 'sku', message: 'is not a SKU' }],
              });
        },
      );
    };
    ({ app } = await buildTestApp({ routes }));
    const document = app.swagger() as unknown as OpenApi;
    const responses = document.paths['/carts/{id}/items']?.post?.responses;
    expect(responses?.['409']?.content['application/problem+json']?.schema).toEqual({
      allOf: [
        { $ref: '#/components/schemas/Problem' },
        expect.objectContaining({
          properties: { status: { type: 'integer', enum: [409] }, code: { enum: ['CART_CLOSED'] } },
        }),
      ],
    });

    const invalid = await app.inject({
      method: 'POST',
      url: '/carts/open/items',
      payload: { sku: 'x' },
    });
    expect(Object.keys(invalid.json()).sort()).toEqual(
      ['code', 'detail', 'errors', 'status', 'title', 'traceId', 'type'].sort(),
    );
    const closed = await app.inject({
      method: 'POST',
      url: '/carts/closed/items',
      payload: { sku: 'x' },
    });
    expect(closed.json()).toMatchObject({ status: 409, code: 'CART_CLOSED' });
  });
});

/** The schema as JSON, without TypeBox's symbol keys. */
const plain = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema));

type OpenApi = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>
  >;
};

describe('the kit answers with its catalogue', () => {
  const routes: FastifyPluginAsyncTypebox = async (scope) => {
    scope.post('/items', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async () => ({
      ok: true,
    }));
    scope.get('/mine', async (request) => callerOf(request));
    const authenticate = createAuthenticationHook(
      createTokenVerifier({ keySet: createLocalJWKSet({ keys: [] }), issuer: 'i', audience: 'a' }),
    );
    scope.get('/protected', { onRequest: authenticate }, async (request) => callerOf(request));
    scope.get('/limited', async () => {
      throw Object.assign(new Error('Too many requests; retry in 1 minute'), { statusCode: 429 });
    });
    scope.get('/crash', async () => {
      throw new Error('boom');
    });
    scope.get('/missing', async () => {
      throw new NotFoundError('nothing here');
    });
    scope.get('/unavailable', async () => {
      throw new ServiceUnavailableError('the database is down');
    });
    scope.get('/upstream', async () => {
      const client = createServiceClient({
        name: 'stock',
        baseUrl: 'http://127.0.0.1:1',
        logger: createLogger({ service: 'test', level: 'silent' }),
        retries: 0,
      });
      try {
        return await client.request({ method: 'GET', path: '/' });
      } finally {
        await client.close();
      }
    });
  };
  const json = { 'content-type': 'application/json' };

  // Each code with a request that makes the kit answer it. JWKS_UNAVAILABLE and OVERLOADED
  // are answered in authentication.test.ts and health.test.ts.
  const triggers: [KitErrorCode, InjectOptions][] = [
    ['INVALID_INPUT', { method: 'POST', url: '/items', payload: { n: 'one' } }],
    ['INVALID_JSON', { method: 'POST', url: '/items', headers: json, payload: '{"n":' }],
    ['UNAUTHENTICATED', { url: '/mine' }],
    ['INVALID_TOKEN', { url: '/protected' }],
    ['NOT_FOUND', { url: '/nowhere' }],
    ['NOT_FOUND', { url: '/missing' }],
    ['METHOD_NOT_ALLOWED', { method: 'DELETE', url: '/items' }],
    [
      'PAYLOAD_TOO_LARGE',
      { method: 'POST', url: '/items', headers: json, payload: `{"n":"${'x'.repeat(70_000)}"}` },
    ],
    [
      'UNSUPPORTED_MEDIA_TYPE',
      { method: 'POST', url: '/items', headers: { 'content-type': 'text/csv' }, payload: 'n\n1' },
    ],
    ['TOO_MANY_REQUESTS', { url: '/limited' }],
    ['INTERNAL', { url: '/crash' }],
    ['SERVICE_UNAVAILABLE', { url: '/unavailable' }],
    ['UPSTREAM_UNAVAILABLE', { url: '/upstream' }],
  ];
  const answeredElsewhere: KitErrorCode[] = ['JWKS_UNAVAILABLE', 'OVERLOADED'];

  it.each(triggers)('answers %s with the status and title of the catalogue', async (code, req) => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject(req);
    const { status, title } = kitErrors.specs[code];
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ code, status, title });
  });

  it('has a test for every kit code', () => {
    const tested = new Set([...triggers.map(([code]) => code), ...answeredElsewhere]);
    expect([...tested].sort()).toEqual(Object.keys(kitErrors.specs).sort());
  });
});
