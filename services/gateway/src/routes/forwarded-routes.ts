import { Transform } from 'node:stream';
import type { PublicRoute } from '@storekeeper/contracts';
import { kitErrors, type ServiceClient } from '@storekeeper/platform';
import type {
  FastifyPluginAsync,
  FastifyRequest,
  onRequestAsyncHookHandler,
  preParsingAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import type { Upstreams } from '../adapters/upstreams.ts';
import { type GatewayErrorCode, gatewayErrors } from '../errors.ts';
import { forward } from './forward.ts';

export interface PublicRoutesDeps {
  readonly upstreams: Upstreams;
  readonly authenticate: onRequestAsyncHookHandler;
  /** The limit of the routes marked `rateLimited`. */
  readonly rateLimit: { readonly max: number; readonly timeWindow: string };
  /** Whether the `devOnly` routes exist (not in production). */
  readonly devRoutes: boolean;
}

/** Registers every route of the table: each one a check, then a call to its service. */
export function forwardedRoutes(
  table: readonly PublicRoute[],
  deps: PublicRoutesDeps,
): FastifyPluginAsync {
  return async (app) => {
    for (const entry of table) {
      if (entry.devOnly && !deps.devRoutes) continue;
      app.route(routeOf(entry, deps));
    }
  };
}

function routeOf(entry: PublicRoute, deps: PublicRoutesDeps): RouteOptions {
  const [method, url] = entry.route.split(' ') as ['GET' | 'POST', string];
  if (url.includes('/internal')) throw new TypeError(`${entry.route}: /internal is never public`);
  const upstreams: Readonly<Record<string, ServiceClient | undefined>> = deps.upstreams;
  const client = upstreams[entry.to.service];
  if (!client) throw new TypeError(`${entry.route}: no client for ${entry.to.service}`);
  const bearer = entry.auth === 'bearer';
  return {
    method,
    url,
    ...(bearer ? { onRequest: deps.authenticate } : {}),
    // Whatever the client sent goes on as bytes, whether or not a schema reads it here.
    ...(method === 'POST' ? { preParsing: keepBodyBytes } : {}),
    ...(entry.rateLimited ? { config: { rateLimit: deps.rateLimit } } : {}),
    // The service's answer goes back as bytes, so the response schemas document the route
    // and serialize nothing but the gateway's own problems: plain JSON.stringify for those
    // spares compiling a serializer per status at start-up.
    serializerCompiler: () => (data: unknown) => JSON.stringify(data),
    schema: {
      summary: entry.summary,
      ...(entry.description ? { description: entry.description } : {}),
      tags: entry.tags,
      ...(bearer ? { security: [{ bearerAuth: [] }] } : {}),
      ...(entry.headers ? { headers: entry.headers } : {}),
      ...(entry.querystring ? { querystring: entry.querystring } : {}),
      ...(entry.params ? { params: entry.params } : {}),
      ...(entry.body ? { body: entry.body } : {}),
      response: { ...entry.ok, ...gatewayErrors.responses(...errorCodesOf(entry)) },
    },
    async handler(request, reply) {
      const payload = bodyBytes.get(request)?.bytes();
      await forward(request, reply, client, {
        method,
        path: servicePathOf(entry, request),
        ...(payload && payload.data.length > 0 ? { payload } : {}),
        ...(entry.passHeaders ? { passHeaders: entry.passHeaders } : {}),
      });
    },
  };
}

/** What a route can answer besides its service's own codes, derived from what it declares. */
function errorCodesOf(entry: PublicRoute): GatewayErrorCode[] {
  const validated = entry.headers ?? entry.querystring ?? entry.params;
  const input: GatewayErrorCode[] = entry.body
    ? ['INVALID_INPUT', 'INVALID_JSON']
    : validated
      ? ['INVALID_INPUT']
      : [];
  return [
    ...input,
    ...(entry.auth === 'bearer' ? (['INVALID_TOKEN', 'JWKS_UNAVAILABLE'] as const) : []),
    ...(entry.errors ?? []),
    ...(entry.rateLimited ? (['TOO_MANY_REQUESTS'] as const) : []),
    'UPSTREAM_UNAVAILABLE',
    'OVERLOADED',
  ];
}

/** The service's path with the public parameters in it, and the query string if declared. */
function servicePathOf(entry: PublicRoute, request: FastifyRequest): string {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const path = entry.to.path.replace(/:(\w+)/g, (_, name: string) => segment(params[name]));
  if (!entry.querystring) return path;
  const query = request.url.indexOf('?');
  return query === -1 ? path : path + request.url.slice(query);
}

function segment(value: string | undefined): string {
  // `.` and `..` are steps, not names: resolved, they would move the call to another path.
  if (value === undefined || value === '.' || value === '..') {
    throw kitErrors.create('NOT_FOUND', 'No such resource');
  }
  return encodeURIComponent(value);
}

/** The bytes of a request body as they arrived, kept while Fastify parses and validates them. */
const bodyBytes = new WeakMap<FastifyRequest, { bytes(): { data: Buffer; contentType: string } }>();

const keepBodyBytes: preParsingAsyncHookHandler = async (request, _reply, payload) => {
  const chunks: Buffer[] = [];
  const contentType = request.headers['content-type'] ?? 'application/json';
  bodyBytes.set(request, { bytes: () => ({ data: Buffer.concat(chunks), contentType }) });
  const copy: Transform & { receivedEncodedLength?: number } = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      copy.receivedEncodedLength = (copy.receivedEncodedLength ?? 0) + chunk.length;
      done(null, chunk);
    },
  });
  payload.on('error', (error) => copy.destroy(error));
  return payload.pipe(copy);
};
