import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from '@storekeeper/testing';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { buildTestApp, createLogCapture } from './helper.ts';

describe('logger', () => {
  it('writes JSON lines with the service name and level', () => {
    const logs = createLogCapture();
    createLogger({ service: 'user', destination: logs.stream }).info({ orderId: 'o-1' }, 'placed');
    expect(JSON.parse(logs.lines[0] ?? '{}')).toMatchObject({
      service: 'user',
      level: 'info',
      msg: 'placed',
      orderId: 'o-1',
    });
  });

  it('stamps each line with its own ISO time, to the millisecond', async () => {
    const logs = createLogCapture();
    const logger = createLogger({ service: 'user', destination: logs.stream });
    const times: [before: number, line: string, after: number][] = [];
    for (let i = 0; i < 3; i++) {
      const before = Date.now();
      logger.info('tick');
      const after = Date.now();
      times.push([before, logs.lines.at(-1) ?? '', after]);
      // The next line falls in a later millisecond: its time must not be the cached one.
      await waitFor(() => Date.now() > after, {
        timeout: 1_000,
        description: 'the next millisecond',
      });
    }
    for (const [before, line, after] of times) {
      const { time } = JSON.parse(line) as { time: string };
      expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(time)).toBeLessThanOrEqual(after);
    }
  });

  it('censors secret-named keys at any depth, in any letter case, whatever the value', () => {
    const logs = createLogCapture();
    const logger = createLogger({ service: 'user', destination: logs.stream });
    logger.info(
      { password: 'pw-top-level', body: { password: 'pw-nested', token: 'tok-nested' } },
      'sign-up',
    );
    logger.info({ a: { b: { c: { d: { accessToken: 'deep-access-token' } } } } }, 'deep');
    logger.info({ headers: { Authorization: 'Bearer hdr-token', 'X-Api-Key': 'api-key-1' } });
    logger.info({ list: [{ secret: { nested: 'object-secret' } }], privateKey: 42_424_242 });
    const text = logs.text();
    for (const secret of [
      'pw-top-level',
      'pw-nested',
      'tok-nested',
      'deep-access-token',
      'hdr-token',
      'api-key-1',
      'object-secret',
      '42424242',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(logs.lines[1] ?? '{}')).toMatchObject({
      msg: 'deep',
      a: { b: { c: { d: { accessToken: '[redacted]' } } } },
    });
  });

  it('leaves lines without a secret-named key exactly as pino wrote them', () => {
    const logs = createLogCapture();
    const logger = createLogger({ service: 'user', destination: logs.stream });
    logger.info({ tokenCount: 3, note: 'the password field was empty' }, 'no secrets here');
    expect(JSON.parse(logs.lines[0] ?? '{}')).toMatchObject({
      tokenCount: 3,
      note: 'the password field was empty',
    });
  });

  it('scrubs known secret values wherever they appear, also JSON-escaped', () => {
    const logs = createLogCapture();
    const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----';
    const logger = createLogger({
      service: 'user',
      destination: logs.stream,
      secrets: [pem, 'db-password-9'],
    });
    logger.error(
      { detail: `failed with key ${pem}` },
      'connect to postgres://u:db-password-9@db failed',
    );
    const text = logs.text();
    expect(text).not.toContain('MIGHAgEAMBMG');
    expect(text).not.toContain('db-password-9');
    expect(text).toContain('postgres://u:[redacted]@db');
  });

  it('logs requests with a request id and without the authorization header', async () => {
    const { app, logs } = await buildTestApp({
      routes: async (scope) => {
        scope.get('/who', async (request) => {
          request.log.info({ headers: request.headers }, 'handling');
          return {};
        });
      },
    });
    const response = await app.inject({
      url: '/who',
      headers: { authorization: 'Bearer eyJ.secret.jwt', 'x-request-id': 'req-123' },
    });
    await app.close();
    expect(response.headers['x-request-id']).toBe('req-123');
    const handling = logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'handling');
    expect(handling).toMatchObject({ requestId: 'req-123' });
    expect(logs.text()).not.toContain('eyJ.secret.jwt');
  });
});

describe('standard output, buffered', () => {
  const loggerModule = new URL('../src/logger.ts', import.meta.url).pathname;
  /** A process that logs through the kit's stdout, then does what `then` says. */
  function child(then: string) {
    const script = `import { createLogger } from ${JSON.stringify(loggerModule)};
      const logger = createLogger({ service: 'child', level: 'info' });
      logger.info('first'); logger.fatal('second');
      ${then}`;
    const process_ = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    process_.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    return { process: process_, output: () => out };
  }
  const messages = (output: string) =>
    output
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { msg: string }).msg);

  it('writes what is buffered when the process exits, however it exits', async () => {
    for (const then of ['process.exitCode = 1;', 'process.exit(2);']) {
      const { process: exiting, output } = child(then);
      await once(exiting, 'close');
      expect(messages(output()), then).toEqual(['first', 'second']);
    }
  });

  it('writes buffered lines soon when nothing else is logged, not only at exit', async () => {
    // The child stays alive for 10 s: the lines must come from the timer, not the exit.
    const { process: idle, output } = child('setTimeout(() => {}, 10_000);');
    try {
      await waitFor(() => messages(output()).length === 2, {
        timeout: 3_000,
        description: 'the two lines, flushed by the timer',
      });
    } finally {
      idle.kill();
    }
  });
});

describe('request logging', () => {
  it('logs one info line per request, when it completes, and none for the health probes', async () => {
    const { app, logs } = await buildTestApp({
      routes: async (scope) => {
        scope.get('/things', async () => ({ ok: true }));
      },
    });
    try {
      await app.inject({ url: '/things', headers: { 'x-request-id': 'req-9' } });
      await app.inject({ url: '/health/live' });
      const records = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const info = records.filter((r) => r.level === 'info' || r.level === 30);
      expect(info).toHaveLength(1);
      expect(info[0]).toMatchObject({
        msg: 'request completed',
        requestId: 'req-9',
        method: 'GET',
        url: '/things',
        statusCode: 200,
      });
      expect(typeof info[0]?.responseTime).toBe('number');
      // Its start is there at debug, for a request still in flight.
      expect(records.some((r) => r.msg === 'incoming request' && r.requestId === 'req-9')).toBe(
        true,
      );
    } finally {
      await app.close();
    }
  });
});
