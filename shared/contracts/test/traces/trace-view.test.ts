import { describe, expect, it } from 'vitest';
import {
  exampleGatewaySegment,
  exampleOrderSegment,
  exampleProfileSegment,
  exampleTraceId,
  isOrderPlacement,
  lastTraceIdInLines,
  traceFromLines,
  tracesFromLines,
  traceView,
} from '../../src/traces/index.ts';

describe('traceView', () => {
  it('puts each service under the call that caused it, in time order, with offsets and status', () => {
    const view = traceView([exampleOrderSegment, exampleGatewaySegment]);
    expect(view).toMatchObject({
      traceId: exampleTraceId,
      durationMs: 80,
      services: ['gateway', 'order'],
    });
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
    const inProgress = { ...exampleOrderSegment, end_time: undefined, in_progress: true };
    const text = [inProgress, exampleGatewaySegment, exampleOrderSegment, exampleProfileSegment]
      .map((segment) => JSON.stringify(segment))
      .concat('{"id": "cut sho')
      .join('\n');
    const traces = tracesFromLines(text);
    expect([...traces.keys()]).toEqual([exampleTraceId, exampleProfileSegment.trace_id]);
    expect(traces.get(exampleTraceId)).toEqual([exampleGatewaySegment, exampleOrderSegment]);
  });
});

describe('reading one trace from a long file', () => {
  const text = [exampleGatewaySegment, exampleOrderSegment, exampleProfileSegment]
    .map((segment) => JSON.stringify(segment))
    .concat('{"trace_id": "cut sho')
    .join('\n');

  it('finds one trace by id, and the last one written with a segment that matches', () => {
    expect(traceFromLines(text, exampleTraceId)).toEqual([
      exampleGatewaySegment,
      exampleOrderSegment,
    ]);
    expect(traceFromLines(text, '1-00000000-000000000000000000000000')).toBeUndefined();
    expect(lastTraceIdInLines(text)).toBe(exampleProfileSegment.trace_id);
    expect(lastTraceIdInLines(text, isOrderPlacement, '"/api/orders"')).toBe(exampleTraceId);
    expect(lastTraceIdInLines('', isOrderPlacement)).toBeUndefined();
  });
});
