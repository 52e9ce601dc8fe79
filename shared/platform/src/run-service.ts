import { setTimeout as delay } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Static, TObject } from 'typebox';
import { createAwsClients } from './aws-clients.ts';
import {
  type BaseConfig,
  ConfigError,
  type LoadConfigOptions,
  loadConfig,
  redactConfig,
} from './config.ts';
import type { ServiceContext, ServiceDefinition } from './define-service.ts';
import { createLifecycle } from './lifecycle.ts';
import { createLogger } from './logger.ts';
import {
  installTracing,
  startTracing,
  traceIdOfCurrentWork,
  tracing,
  tracingKind,
} from './tracing/tracing.ts';
import type { Worker } from './worker.ts';

export interface RunServiceOptions {
  readonly configOptions?: LoadConfigOptions;
}

/**
 * The whole life of a service process, from its definition:
 *
 * 1. config (a bad value stops here, naming the variable), logger;
 * 2. deps, app and workers are assembled; `listen`; only then the workers start. If any
 *    step fails, everything opened so far is closed and the process exits 1.
 * 3. on SIGTERM/SIGINT: not ready → drain delay (the load balancer deregisters the task)
 *    → the HTTP server stops accepting and finishes requests while intake workers stop
 *    receiving and finish their messages → flush workers make a last pass (the relay
 *    publishes what those committed) → resources close, newest first → logs flush → exit 0.
 *    Past SHUTDOWN_TIMEOUT_MS the process exits 1.
 */
export async function runService<S extends TObject, D>(
  definition: ServiceDefinition<S, D>,
  options: RunServiceOptions = {},
): Promise<void> {
  let loaded: Awaited<ReturnType<typeof loadConfig<S>>>;
  try {
    loaded = await loadConfig(definition.configSchema, options.configOptions);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : (error as Error).message;
    process.stderr.write(`${definition.name}: cannot start. ${message}\n`);
    process.exitCode = 1;
    return;
  }
  const config = loaded.config as Static<S> & BaseConfig;
  const logger = createLogger({
    service: definition.name,
    level: config.LOG_LEVEL,
    secrets: loaded.secrets,
    // Every line of a traced request or message carries its trace id.
    ...(tracingKind(config) === 'off' ? {} : { mixin: traceIdOfCurrentWork }),
  });
  logger.info({ config: redactConfig(definition.configSchema, config) }, 'starting');
  // Before anything is built: clients and apps read the process's tracing when made.
  installTracing(await startTracing(definition.name, config, logger));

  const resources = createResourceStack(logger);
  const aws = createAwsClients(config.AWS_REGION);
  resources.add('aws clients', () => aws.destroy());
  const context: ServiceContext<Static<S>> = {
    config,
    logger,
    lifecycle: createLifecycle(),
    aws,
    closeOnShutdown: resources.add,
  };

  let app: FastifyInstance | undefined;
  let workers: readonly Worker[] = [];
  const started: Worker[] = [];
  try {
    const deps = await definition.createDeps(context);
    workers = definition.workers?.(deps, context) ?? [];
    const readiness = workers.flatMap((worker) => (worker.readiness ? [worker.readiness] : []));
    app = await definition.buildApp(deps, { ...context, readiness });
    await app.listen({ host: config.HOST, port: config.PORT });
    for (const worker of workers) {
      await worker.start();
      started.push(worker);
    }
    if (workers.length > 0) logger.info({ workers: workers.map((w) => w.name) }, 'workers started');
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    await stopInOrder(started, logger);
    await app?.close().catch((err: unknown) => logger.error({ err }, 'closing the app failed'));
    await resources.closeAll();
    logger.flush();
    process.exitCode = 1;
    // Everything is closed, so the process ends by itself; should a library still hold
    // a handle, it must not keep a failed service alive (an ECS task would look healthy).
    setTimeout(() => process.exit(1), 2_000).unref();
    return;
  }

  const server = app;
  closeWithGrace(
    {
      delay: config.SHUTDOWN_TIMEOUT_MS,
      logger: { error: (message: unknown) => logger.error(message) },
      onTimeout: (ms) => {
        logger.error({ timeoutMs: ms }, 'shutdown did not finish in time, exiting');
        logger.flush();
      },
    },
    async ({ signal, err }) => {
      context.lifecycle.beginShutdown();
      if (err) logger.fatal({ err }, 'unexpected error, shutting down');
      logger.info({ signal, drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS }, 'shutting down');
      // Deliberate: readiness is 503 now; requests still arrive until the balancer notices.
      if (config.SHUTDOWN_DRAIN_DELAY_MS > 0) await delay(config.SHUTDOWN_DRAIN_DELAY_MS);
      await Promise.all([
        server.close(),
        stopInOrder(
          workers.filter((w) => w.role === 'intake'),
          logger,
        ),
      ]);
      await stopInOrder(
        workers.filter((w) => w.role === 'flush'),
        logger,
      );
      await resources.closeAll();
      await tracing().close();
      logger.info('stopped');
      logger.flush();
    },
  );
}

async function stopInOrder(workers: readonly Worker[], logger: Logger): Promise<void> {
  for (const worker of workers) {
    try {
      await worker.stop();
      logger.info({ worker: worker.name }, 'worker stopped');
    } catch (err) {
      logger.error({ err, worker: worker.name }, 'worker did not stop cleanly');
    }
  }
}

interface ResourceStack {
  add(name: string, close: () => Promise<void> | void): void;
  /** Closes everything, newest first; a failure is logged and the rest still close. */
  closeAll(): Promise<void>;
}

function createResourceStack(logger: Logger): ResourceStack {
  const stack: { name: string; close: () => Promise<void> | void }[] = [];
  return {
    add(name, close) {
      stack.push({ name, close });
    },
    async closeAll() {
      const closed: string[] = [];
      for (const { name, close } of stack.splice(0).reverse()) {
        try {
          await close();
          closed.push(name);
        } catch (err) {
          logger.error({ err, resource: name }, 'closing failed');
        }
      }
      logger.info({ closed }, 'resources closed');
    },
  };
}
