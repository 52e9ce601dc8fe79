import type { ServiceClient, ServiceRequest } from '@storekeeper/platform';
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

/**
 * Calls a service for a public route and answers with what it said: its status, its
 * body (problem+json included) and the headers above. The request id and the caller's
 * token travel along, so the service logs the same request id and verifies the token again.
 */
export async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  client: ServiceClient,
  call: Pick<ServiceRequest, 'method' | 'path' | 'body'> & {
    /** Request headers the service needs beyond the request id and the token. */
    readonly passHeaders?: readonly string[];
  },
): Promise<void> {
  const passed = Object.fromEntries(
    (call.passHeaders ?? []).map((name) => [name, headerValue(request.headers[name])]),
  );
  const response = await client.request({
    method: call.method,
    path: call.path,
    ...(call.body === undefined ? {} : { body: call.body }),
    headers: {
      ...passed,
      'x-request-id': request.id,
      authorization: request.headers.authorization,
    },
  });
  for (const name of passedHeaders) {
    const value = response.headers[name];
    if (value !== undefined) void reply.header(name, value);
  }
  // Sent here; the route handler resolves with nothing, which Fastify accepts once sent.
  await reply.code(response.status).send(response.body);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
