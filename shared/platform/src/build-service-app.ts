/// <reference types="@fastify/swagger" preserve="true" />
// The FastifySchema fields (summary, tags, …) that routes declare come from @fastify/swagger;
// the directive keeps them in the built types, where the value import below is dropped.
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyPluginAsync, LogController } from 'fastify';
import type { Logger } from 'pino';
import { registerErrorHandler } from './error-handler.ts';
import { type ReadinessCheck, registerHealthRoutes } from './health.ts';
import { registerJsonBodyParser } from './json-body.ts';
import type { Lifecycle } from './lifecycle.ts';
import { type LoadSheddingOptions, registerLoadShedding } from './load-shedding.ts';
import { ProblemSchema } from './problem.ts';
import { registerSecureHeaders } from './secure-headers.ts';
import { tracing } from './tracing/tracing.ts';
import { registerValidation } from './validation.ts';

export type ServiceApp = ReturnType<typeof createFastify>;

export interface ServiceAppOptions {
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly readiness: readonly ReadinessCheck[];
  /** How long one readiness check may take before it counts as failed (default 2 s). */
  readonly readinessTimeoutMs?: number;
  readonly loadShedding: LoadSheddingOptions;
  /**
   * How many proxies in front of the service to trust for the client address: the
   * gateway behind an ALB trusts one hop, so rate limits key on the real client and a
   * client cannot choose its address by sending X-Forwarded-For itself.
   */
  readonly trustedProxyHops?: number;
  /** Largest accepted request body; anything bigger gets 413. */
  readonly bodyLimitBytes?: number;
  /** The service's own routes; they run behind load shedding, health probes do not. */
  readonly routes: FastifyPluginAsync;
  /**
   * The service's NODE_ENV. In production the route schemas are not checked against the
   * JSON Schema meta-schema again at start-up (see registerValidation); elsewhere they are.
   */
  readonly environment?: 'development' | 'test' | 'production';
}

/**
 * The Fastify instance every service starts from: request ids, strict validation,
 * JSON bodies only, problem+json errors, secure response headers, health probes, load
 * shedding and an OpenAPI description built from the route schemas. It never listens;
 * `runService` does that.
 */
export async function buildServiceApp(options: ServiceAppOptions): Promise<ServiceApp> {
  const app = createFastify(options);
  // First, so the segment spans every other hook of the request.
  tracing().register(app, options.name);

  registerValidation(app, { checkSchemas: options.environment !== 'production' });
  registerJsonBodyParser(app);
  app.decorateRequest('caller', null);
  registerErrorHandler(app);
  app.addSchema(ProblemSchema);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  registerSecureHeaders(app);
  logRequests(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `Storekeeper ${options.name} service`,
        version: options.version ?? '0.0.0',
        ...(options.description ? { description: options.description } : {}),
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });

  registerHealthRoutes(app, {
    lifecycle: options.lifecycle,
    checks: options.readiness,
    ...(options.readinessTimeoutMs ? { checkTimeoutMs: options.readinessTimeoutMs } : {}),
  });

  await app.register(async (scope) => {
    await registerLoadShedding(scope, options.loadShedding);
    await scope.register(options.routes);
  });

  return app;
}

function createFastify(options: ServiceAppOptions) {
  return Fastify({
    // pino's Logger is a FastifyBaseLogger; keeping Fastify's default logger type keeps
    // the instance assignable to plain FastifyInstance helpers.
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: 'x-request-id',
    // One line per request, at its end (see logRequests), instead of Fastify's two.
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: true,
    }),
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024,
    trustProxy: (_address: string, hop: number) => hop < (options.trustedProxyHops ?? 0),
    // Longer than the ALB's 60 s idle timeout, so the balancer closes idle
    // connections first and never sends on one the task has just closed.
    keepAliveTimeout: 65_000,
    requestTimeout: 30_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();
}

/**
 * One info line per request, when it completes, with the request, the status and the
 * time taken: half the lines (and half the logging cost) of Fastify's pair. Its fields are
 * flat and few (method, url, statusCode, responseTime; the request id comes with the
 * request's logger): Fastify's request serializer, with the client address worked out
 * through the trusted proxies, cost the user service ~4 % of its throughput at info. Its
 * start is logged at debug, with the whole request, for following one still in flight.
 * Routes that lower their log level (the health probes) log neither.
 */
function logRequests(app: ServiceApp): void {
  app.addHook('onRequest', async (request) => {
    request.log.debug({ req: request }, 'incoming request');
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  });
}
