import { describe, expect, it } from 'vitest';
import { createHandlerSpy } from '../src/consumer/handler-spy.ts';

describe('handler spy', () => {
  const record = (messageId: string, outcome: 'handled' | 'rejected') => ({
    messageId,
    outcome,
    receiveCount: 1,
    at: Date.now(),
  });

  it('resolves for a record that already happened and for one that happens later', async () => {
    const spy = createHandlerSpy();
    spy.record(record('a', 'handled'));
    await expect(spy.waitFor({ messageId: 'a' })).resolves.toMatchObject({ outcome: 'handled' });
    const later = spy.waitFor({ messageId: 'b', outcome: 'rejected' });
    spy.record(record('b', 'handled'));
    spy.record(record('b', 'rejected'));
    await expect(later).resolves.toMatchObject({ messageId: 'b', outcome: 'rejected' });
    expect(spy.count({ messageId: 'b' })).toBe(2);
  });

  it('fails with what it saw when the message never comes', async () => {
    const spy = createHandlerSpy();
    spy.record(record('a', 'handled'));
    await expect(spy.waitFor({ messageId: 'zzz' }, { timeoutMs: 20 })).rejects.toThrow(
      /no message matching \{"messageId":"zzz"\} within 20 ms; seen: \?#a:handled/,
    );
  });
});
