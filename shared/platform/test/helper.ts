import { Writable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { buildServiceApp, type ServiceApp } from '../src/build-service-app.ts';
import type { ReadinessCheck } from '../src/health.ts';
import { createLifecycle, type Lifecycle } from '../src/lifecycle.ts';
import { createLogger } from '../src/logger.ts';

/** A pino destination that keeps every line, for assertions on what was logged. */
export function createLogCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines, text: () => lines.join('\n') };
}

export interface TestAppOptions {
  routes?: FastifyPluginAsync;
  readiness?: ReadinessCheck[];
  lifecycle?: Lifecycle;
  maxEventLoopDelayMs?: number;
  sampleIntervalMs?: number;
  environment?: 'development' | 'test' | 'production';
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<{
  app: ServiceApp;
  logs: ReturnType<typeof createLogCapture>;
  lifecycle: Lifecycle;
}> {
  const logs = createLogCapture();
  const lifecycle = options.lifecycle ?? createLifecycle();
  const app = await buildServiceApp({
    name: 'test',
    logger: createLogger({ service: 'test', level: 'debug', destination: logs.stream }),
    lifecycle,
    readiness: options.readiness ?? [],
    readinessTimeoutMs: 200,
    loadShedding: {
      maxEventLoopDelayMs: options.maxEventLoopDelayMs ?? 0,
      sampleIntervalMs: options.sampleIntervalMs ?? 1_000,
    },
    routes: options.routes ?? (async () => {}),
    ...(options.environment ? { environment: options.environment } : {}),
  });
  await app.ready();
  return { app, logs, lifecycle };
}
