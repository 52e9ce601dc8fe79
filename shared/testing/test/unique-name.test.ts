import { describe, expect, it } from 'vitest';
import { uniqueName, uniqueQueueName, uniqueTopicName } from '../src/unique-name.ts';

describe('unique names', () => {
  it('differ on every call and keep the base readable', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueQueueName('orders')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^orders-[0-9a-f]{8}$/);
  });

  it('stay within the SQS limit and keep .fifo last', () => {
    const name = uniqueQueueName(`${'x'.repeat(100)}.fifo`);
    expect(name.length).toBe(80);
    expect(name).toMatch(/^x+-[0-9a-f]{8}\.fifo$/);
  });

  it('replace characters SQS and SNS refuse', () => {
    expect(uniqueTopicName('user events/v1')).toMatch(/^user-events-v1-[0-9a-f]{8}$/);
    expect(uniqueName('a.b', 20)).toMatch(/^a-b-[0-9a-f]{8}$/);
  });
});
