import type { RawServiceResponse, ServiceClient, ServiceRequest } from '@storekeeper/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Response headers a service may set that the client should see. */
const passedHeaders = [
  'content-type',
  'retry-after',
  'cache-control',
  'location',
  'www-authenticate',
  // Tells a client that retried with an Idempotency-Key that this is the first answer again.
  'idempotent-replayed',
];

export interface ForwardedCall {
  readonly method: ServiceRequest['method'];
  /** The service's path, with the query string to pass. */
  readonly path: string;
  /** The client's body, as bytes. */
  readonly payload?: ServiceRequest['payload'];
  /** Request headers the service needs beyond the request id and the token. */
  readonly passHeaders?: readonly string[];
}

/**
 * Calls a service for a public route and answers with what it said: its status, its
 * bytes (problem+json included) and the headers above, without parsing them. The request
 * id and the caller's token travel along, so the service logs the same request id and
 * verifies the token again.
 */
export async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  client: ServiceClient,
  call: ForwardedCall,
): Promise<void> {
  const passed = Object.fromEntries(
    (call.passHeaders ?? []).map((name) => [name, headerValue(request.headers[name])]),
  );
  const response = await client.requestRaw({
    method: call.method,
    path: call.path,
    ...(call.payload === undefined ? {} : { payload: call.payload }),
    headers: { ...passed, ...forwardedIdentity(request) },
  });
  await sendAsIs(reply, response);
}

/** The request id and the caller's token, for every call made on behalf of a request. */
export function forwardedIdentity(request: FastifyRequest): Record<string, string | undefined> {
  return { 'x-request-id': request.id, authorization: request.headers.authorization };
}

/**
 * Sends a service's answer on: status, passed headers and the bytes as they came. Fastify
 * sends a Buffer without serializing it, so the response schema documents, never rewrites.
 */
export function sendAsIs(reply: FastifyReply, response: RawServiceResponse): FastifyReply {
  for (const name of passedHeaders) {
    const value = response.headers[name];
    if (value !== undefined) void reply.header(name, value);
  }
  return reply.code(response.status).send(response.body);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
