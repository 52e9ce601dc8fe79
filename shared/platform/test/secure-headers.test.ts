import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceApp } from '../src/build-service-app.ts';
import { NotFoundError } from '../src/errors.ts';
import { buildTestApp } from './helper.ts';

const routes: FastifyPluginAsync = async (app) => {
  app.get('/me', async () => ({ email: 'ada@example.com' }));
  app.post('/tokens', async (_request, reply) => reply.code(201).send({ token: 'secret' }));
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send({ keys: [] }),
  );
  app.get('/public-then-failing', async (_request, reply) => {
    void reply.header('cache-control', 'public, max-age=60');
    throw new NotFoundError('gone');
  });
  app.get('/crash', async () => {
    throw new Error('boom');
  });
};

let app: ServiceApp;
afterEach(async () => app?.close());

describe('secure response headers', () => {
  it.each([
    ['a JSON answer', { url: '/me' }, 200],
    ['a created resource', { method: 'POST' as const, url: '/tokens' }, 201],
    ['an unknown route', { url: '/nowhere' }, 404],
    ['a crash', { url: '/crash' }, 500],
    ['a readiness probe', { url: '/health/ready' }, 200],
    [
      'a body of another media type',
      {
        method: 'POST' as const,
        url: '/tokens',
        headers: { 'content-type': 'text/csv' },
        payload: 'a',
      },
      415,
    ],
  ])('marks %s nosniff and no-store, without X-Powered-By', async (_label, request, status) => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject(request);
    expect(response.statusCode).toBe(status);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers.server).toBeUndefined();
  });

  it('keeps the Cache-Control of a route whose answer is public', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({ url: '/.well-known/jwks.json' });
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never lets an error be cached, even from a route that allowed caching', async () => {
    ({ app } = await buildTestApp({ routes }));
    const response = await app.inject({ url: '/public-then-failing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['cache-control']).toBe('no-store');
  });
});
