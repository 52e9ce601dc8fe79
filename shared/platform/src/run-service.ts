import { setTimeout as delay } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Static, TObject } from 'typebox';
import {
  type BaseConfig,
  ConfigError,
  type LoadConfigOptions,
  loadConfig,
  redactConfig,
} from './config.ts';
import { createLifecycle, type Lifecycle } from './lifecycle.ts';
import { createLogger } from './logger.ts';

export interface ServiceContext<C> {
  readonly config: Readonly<C>;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}

export interface RunServiceOptions<S extends TObject> {
  readonly name: string;
  readonly configSchema: S;
  readonly configOptions?: LoadConfigOptions;
  /** Builds the app from config; resources it opens are closed in the app's onClose hooks. */
  readonly build: (context: ServiceContext<Static<S>>) => Promise<FastifyInstance>;
}

/**
 * The whole life of a service process: config, logger, app, listen, and the shutdown
 * sequence on SIGTERM/SIGINT — mark not ready, keep serving for the drain delay while
 * the load balancer deregisters the task, stop accepting, finish in-flight requests,
 * close resources (onClose hooks), flush logs, exit 0. If that takes longer than
 * SHUTDOWN_TIMEOUT_MS the process exits 1.
 */
export async function runService<S extends TObject>(options: RunServiceOptions<S>): Promise<void> {
  let loaded: Awaited<ReturnType<typeof loadConfig<S>>>;
  try {
    loaded = await loadConfig(options.configSchema, options.configOptions);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : (error as Error).message;
    process.stderr.write(`${options.name}: cannot start. ${message}\n`);
    process.exitCode = 1;
    return;
  }
  const config = loaded.config as Static<S> & BaseConfig;
  const logger = createLogger({
    service: options.name,
    level: config.LOG_LEVEL,
    secrets: loaded.secrets,
  });
  const lifecycle = createLifecycle();
  logger.info({ config: redactConfig(options.configSchema, config) }, 'starting');

  let app: FastifyInstance;
  try {
    app = await options.build({ config, logger, lifecycle });
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    logger.flush();
    process.exitCode = 1;
    return;
  }

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
      lifecycle.beginShutdown();
      if (err) logger.fatal({ err }, 'unexpected error, shutting down');
      logger.info({ signal, drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS }, 'shutting down');
      // Deliberate: readiness is 503 now; requests still arrive until the balancer notices.
      if (config.SHUTDOWN_DRAIN_DELAY_MS > 0) await delay(config.SHUTDOWN_DRAIN_DELAY_MS);
      await app.close();
      logger.info('stopped');
      logger.flush();
    },
  );
}
