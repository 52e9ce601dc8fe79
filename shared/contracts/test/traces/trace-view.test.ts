import { describe, expect, it } from 'vitest';
import {
  isOrderPlacement,
  lastTraceIdInLines,
  latestTrace,
  traceFromLines,
  tracesFromLines,
  traceView,
} from '../../src/traces/index.ts';
import { gatewaySegment, orderSegment, profileSegment, traceId } from './fixtures.ts';

describe('traceView', () => {
  it('puts each service under the call that caused it, in time order, with offsets and status', () => {
    const view = traceView([orderSegment, gatewaySegment]);
    expect(view).toMatchObject({ traceId, durationMs: 80, services: ['gateway', 'order'] });
    expect(view.spans).toEqual([
      {
        depth: 0,
        service: 'gateway',
        operation: 'POST /api/orders',
        offsetMs: 0,
        durationMs: 80,
        status: '202',
      },
      {
        depth: 1,
        service: 'gateway',
        operation: '→ order POST /orders',
        offsetMs: 2,
        durationMs: 76,
        status: 'ok',
      },
      {
        depth: 2,
        service: 'order',
        operation: 'POST /orders',
        offsetMs: 3,
        durationMs: 67,
        status: '503!',
      },
      {
        depth: 3,
        service: 'order',
        operation: 'SQL SELECT 1',
        offsetMs: 10,
        durationMs: 2,
        status: 'ok',
      },
    ]);
  });
});

describe('tracesFromLines', () => {
  it('groups by trace, keeps the last version of a segment sent twice, skips a cut line', () => {
    const inProgress = { ...orderSegment, end_time: undefined, in_progress: true };
    const text = [inProgress, gatewaySegment, orderSegment, profileSegment]
      .map((segment) => JSON.stringify(segment))
      .concat('{"id": "cut sho')
      .join('\n');
    const traces = tracesFromLines(text);
    expect([...traces.keys()]).toEqual([traceId, profileSegment.trace_id]);
    expect(traces.get(traceId)).toEqual([gatewaySegment, orderSegment]);
  });
});

describe('latestTrace', () => {
  const traces = tracesFromLines(
    [gatewaySegment, orderSegment, profileSegment].map((s) => JSON.stringify(s)).join('\n'),
  );

  it('finds the latest trace, or the latest with an order placement', () => {
    expect(latestTrace(traces)?.[0]?.trace_id).toBe(profileSegment.trace_id);
    expect(latestTrace(traces, isOrderPlacement)?.[0]?.trace_id).toBe(traceId);
    expect(latestTrace(new Map(), isOrderPlacement)).toBeUndefined();
  });
});

describe('reading one trace from a long file', () => {
  const text = [gatewaySegment, orderSegment, profileSegment]
    .map((segment) => JSON.stringify(segment))
    .concat('{"trace_id": "cut sho')
    .join('\n');

  it('finds one trace by id, and the last one written with a segment that matches', () => {
    expect(traceFromLines(text, traceId)).toEqual([gatewaySegment, orderSegment]);
    expect(traceFromLines(text, '1-00000000-000000000000000000000000')).toBeUndefined();
    expect(lastTraceIdInLines(text)).toBe(profileSegment.trace_id);
    expect(lastTraceIdInLines(text, isOrderPlacement, '"/api/orders"')).toBe(traceId);
    expect(lastTraceIdInLines('', isOrderPlacement)).toBeUndefined();
  });
});
