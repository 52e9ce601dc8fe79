import type { FastifyInstance } from 'fastify';

/**
 * The response headers a JSON API owes its clients (OWASP Secure Headers), on every
 * response the service sends, errors and probes included:
 *
 * - `X-Content-Type-Options: nosniff`: a browser takes the declared type, never a guess.
 * - `Cache-Control: no-store` unless the route set its own: responses carry personal
 *   data and tokens, which no browser or proxy may keep. A route whose answer is public
 *   says so (the JWKS, the product list); an error is never cacheable.
 *
 * Fastify sends no `X-Powered-By` or `Server` header, so there is nothing to remove.
 */
export function registerSecureHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    if (reply.statusCode >= 400 || !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
  });
}
