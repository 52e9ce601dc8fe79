import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceApp } from '../src/build-service-app.ts';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
} from '../src/errors.ts';
import { buildTestApp } from './helper.ts';

const SignUp = Type.Object(
  {
    email: Type.String({ format: 'email' }),
    quantity: Type.Integer({ minimum: 1 }),
    address: Type.Object({ city: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    // The pattern of the contracts' `Text`: at least one character that is not white space.
    name: Type.Optional(Type.String({ pattern: '\\S' })),
  },
  { additionalProperties: false },
);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/sign-up', { schema: { body: SignUp } }, async (request) => ({
    ok: request.body.email,
  }));
  app.get(
    '/items',
    { schema: { querystring: Type.Object({ limit: Type.Integer({ maximum: 50 }) }) } },
    async (request) => ({
      limit: request.query.limit,
    }),
  );
  const errors: Record<string, () => Error> = {
    input: () => new InputError('quantity must be positive'),
    auth: () => new AuthenticationError(),
    forbidden: () => new NotAllowedError('not yours'),
    missing: () => new NotFoundError('order 42 does not exist'),
    conflict: () => new ConflictError('email already registered'),
    unprocessable: () => new UnprocessableError('Idempotency-Key reused with another body'),
    unavailable: () =>
      new ServiceUnavailableError('billing is unavailable', { retryAfterSeconds: 7 }),
    crash: () => new Error('connection to 10.0.0.5 failed: password authentication failed'),
  };
  app.get('/throw/:kind', async (request) => {
    const make = errors[(request.params as { kind: string }).kind];
    throw make ? make() : new Error('unknown');
  });
};

let app: ServiceApp;
afterEach(async () => app?.close());

describe('problem+json errors', () => {
  it.each([
    ['input', 400, 'INVALID_INPUT', 'quantity must be positive'],
    ['auth', 401, 'UNAUTHENTICATED', 'Authentication is required'],
    ['forbidden', 403, 'NOT_ALLOWED', 'not yours'],
    ['missing', 404, 'NOT_FOUND', 'order 42 does not exist'],
    ['conflict', 409, 'CONFLICT', 'email already registered'],
    ['unprocessable', 422, 'UNPROCESSABLE', 'Idempotency-Key reused with another body'],
    ['unavailable', 503, 'SERVICE_UNAVAILABLE', 'billing is unavailable'],
  ])('maps %s to %i %s', async (kind, status, code, detail) => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({ method: 'GET', url: `/throw/${kind}` });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json();
    expect(body).toMatchObject({
      status,
      code,
      detail,
      type: expect.stringContaining('/problems/'),
    });
    expect(body.traceId).toBe(response.headers['x-request-id']);
  });

  it('sends Retry-After with a 503', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({ method: 'GET', url: '/throw/unavailable' });
    expect(response.headers['retry-after']).toBe('7');
  });

  it('hides the internals of a 500 from the client but logs them', async () => {
    const built = await buildTestApp({ routes });
    app = built.app;
    const response = await app.inject({ method: 'GET', url: '/throw/crash' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('10.0.0.5');
    expect(response.body).not.toContain('password');
    expect(response.json()).toMatchObject({ code: 'INTERNAL', title: 'Internal server error' });
    expect(built.logs.text()).toContain('10.0.0.5');
  });

  it('answers an unknown route with a 404 problem', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      code: 'NOT_FOUND',
      detail: 'Route GET /nope does not exist',
    });
  });
});

describe('unknown routes and methods', () => {
  it('answers a method the path does not have with 405 and Allow', async () => {
    ({ app } = await buildTestApp({ routes }));
    for (const method of ['DELETE', 'PUT'] as const) {
      const response = await app.inject({ method, url: '/sign-up?x=1' });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405 });
    }
    const withParams = await app.inject({ method: 'POST', url: '/throw/crash' });
    expect(withParams.statusCode).toBe(405);
    expect(withParams.headers.allow).toBe('GET, HEAD');
  });
});

describe('request validation', () => {
  const valid = { email: 'a@example.com', quantity: 2, address: { city: 'Oslo' } };

  async function post(body: unknown) {
    ({ app } = await buildTestApp({ routes }));
    return app.inject({ method: 'POST', url: '/sign-up', payload: body as object });
  }

  it('accepts a valid body', async () => {
    const response = await post(valid);
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['a missing field', { quantity: 2, address: { city: 'Oslo' } }, 'email', 'is required'],
    [
      'a malformed field',
      { ...valid, email: 'not-an-email' },
      'email',
      'must match format "email"',
    ],
    ['an extra field', { ...valid, admin: true }, 'admin', 'is not allowed'],
    [
      'an extra nested field',
      { ...valid, address: { city: 'Oslo', zip: '1' } },
      'address.zip',
      'is not allowed',
    ],
    ['a nested missing field', { ...valid, address: {} }, 'address.city', 'is required'],
    ['a number sent as text', { ...valid, quantity: '2' }, 'quantity', 'must be integer'],
  ])('rejects %s with a 400 naming the field', async (_label, body, field, message) => {
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect(problem.errors).toContainEqual({ in: 'body', field, message });
    expect(problem.detail).toContain(field);
  });

  it('rejects malformed JSON with a 400 problem', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({
      method: 'POST',
      url: '/sign-up',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it.each([
    [
      'a NUL character',
      '{"email":"a@example.com","quantity":2,"address":{"city":"Os\\u0000lo"}}',
      'address.city',
    ],
    [
      'a lone surrogate',
      '{"email":"a@example.com","quantity":2,"address":{"city":"\\ud83d"}}',
      'address.city',
    ],
  ])(
    'rejects text no database can store (%s) with a 400 naming the field',
    async (_label, payload, field) => {
      ({ app } = await buildTestApp({ routes }));
      const response = await app.inject({
        method: 'POST',
        url: '/sign-up',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { in: 'body', field, message: 'must be valid Unicode text without NUL characters' },
      ]);
    },
  );

  it('words a blank text field as "must not be blank", naming it', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({
      method: 'POST',
      url: '/sign-up',
      payload: {
        email: 'a@example.com',
        quantity: 1,
        address: { city: 'Oslo' },
        name: ' \u000b\t',
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { in: 'body', field: 'name', message: 'must not be blank' },
    ]);
  });

  it('refuses prototype poisoning', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({
      method: 'POST',
      url: '/sign-up',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"email":"a@example.com","quantity":2,"address":{"city":"x"},"__proto__":{"admin":true}}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('INVALID_JSON');
  });

  it('rejects a body over the limit with 413', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({
      method: 'POST',
      url: '/sign-up',
      payload: { ...valid, email: `${'a'.repeat(70_000)}@example.com` },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it.each([
    ['text/plain', 'an email'],
    ['text/csv', 'email,quantity\na@example.com,2'],
    ['application/x-www-form-urlencoded', 'email=a%40example.com&quantity=2'],
    ['application/xml', '<sign-up/>'],
    ['application/json-patch+json', '[]'],
  ])('refuses a %s body with a 415 problem', async (type, payload) => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({
      method: 'POST',
      url: '/sign-up',
      headers: { 'content-type': type },
      payload,
    });
    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      title: 'Unsupported media type',
    });
  });

  it('refuses a body without a content type with a 415 problem', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({
      method: 'POST',
      url: '/sign-up',
      headers: { 'content-type': '' },
      payload: JSON.stringify(valid),
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('accepts JSON with a charset', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({
      method: 'POST',
      url: '/sign-up',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify(valid),
    });
    expect(response.statusCode).toBe(200);
  });

  it('coerces query strings, which are text by nature', async () => {
    ({ app } = await buildTestApp({ routes }));
    const ok = await app.inject({ method: 'GET', url: '/items?limit=10' });
    expect(ok.json()).toEqual({ limit: 10 });
    const bad = await app.inject({ method: 'GET', url: '/items?limit=500' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toContainEqual({
      in: 'querystring',
      field: 'limit',
      message: 'must be <= 50',
    });
  });

  describe('route schemas against the JSON Schema meta-schema', () => {
    // `minLength` must be a non-negative integer: only the meta-schema says so (Ajv's own
    // keyword check sees a number and compiles it).
    const badSchema: FastifyPluginAsync = async (scope) => {
      scope.post('/bad', { schema: { body: { type: 'string', minLength: -1 } } }, async () => ({}));
    };

    it('refuses a malformed schema at start-up outside production, naming the keyword', async () => {
      await expect(buildTestApp({ routes: badSchema, environment: 'development' })).rejects.toThrow(
        /minLength/,
      );
      await expect(buildTestApp({ routes: badSchema })).rejects.toThrow(/minLength/);
    });

    it('does not compile the meta-schema in production: the schemas were checked before', async () => {
      // The same code starts, where development refused it: the check is really skipped,
      // which is what saves its ~50 ms of start-up.
      ({ app } = await buildTestApp({ routes: badSchema, environment: 'production' }));
      expect(app.hasRoute({ method: 'POST', url: '/bad' })).toBe(true);
    });
  });
});
