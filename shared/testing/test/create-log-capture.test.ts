import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogCapture } from '../src/create-log-capture.ts';

describe('createLogCapture', () => {
  it('collects what a pino logger writes, as lines and as records', () => {
    const capture = createLogCapture();
    const logger = pino({ redact: ['password'] }, capture.stream);

    logger.info({ userId: 'u1', password: 'hunter2' }, 'signed up');
    logger.warn('slow');

    expect(capture.lines).toHaveLength(2);
    expect(capture.find((r) => r.msg === 'signed up')).toMatchObject({ level: 30, userId: 'u1' });
    expect(capture.lines.join('\n')).not.toContain('hunter2');
    capture.clear();
    expect(capture.records()).toEqual([]);
  });

  it('waits for a record logged later', async () => {
    const capture = createLogCapture();
    const logger = pino({}, capture.stream);
    setImmediate(() => logger.error({ code: 'E1' }, 'failed'));

    const record = await capture.waitForRecord((r) => r.code === 'E1', {
      description: 'the failure to be logged',
      timeout: 1_000,
    });
    expect(record.level).toBe(50);
  });
});
