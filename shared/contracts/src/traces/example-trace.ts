import type { SegmentDocument } from './segment-document.ts';

// An example of what `pnpm start` receives: an order placement through the gateway whose
// call to the order service failed (503), and a later request of another kind. What the
// trace tools are shown with, in their tests and documentation.

export const exampleTraceId = '1-6930a1b2-0123456789abcdef01234567';

/** Gateway → order (a call), the order's own segment under that call, and its SQL. */
export const exampleGatewaySegment: SegmentDocument = {
  id: 'a000000000000001',
  trace_id: exampleTraceId,
  name: 'gateway',
  start_time: 100,
  end_time: 100.08,
  annotations: { route: '/api/orders' },
  http: { request: { method: 'POST' }, response: { status: 202 } },
  subsegments: [
    {
      id: 'a000000000000002',
      trace_id: exampleTraceId,
      name: 'order',
      namespace: 'remote',
      start_time: 100.002,
      end_time: 100.078,
      http: { request: { method: 'POST', url: 'http://127.0.0.1:3002/orders' } },
    },
  ],
};

export const exampleOrderSegment: SegmentDocument = {
  id: 'b000000000000001',
  trace_id: exampleTraceId,
  name: 'order',
  parent_id: 'a000000000000002',
  start_time: 100.003,
  end_time: 100.07,
  annotations: { route: '/orders' },
  http: { request: { method: 'POST' }, response: { status: 503 } },
  fault: true,
  subsegments: [
    {
      id: 'b000000000000002',
      trace_id: exampleTraceId,
      name: 'orders',
      namespace: 'remote',
      start_time: 100.01,
      end_time: 100.012,
      sql: { sanitized_query: 'SELECT 1' },
    },
  ],
};

/** A later request of another kind, in a trace of its own. */
export const exampleProfileSegment: SegmentDocument = {
  id: 'c000000000000001',
  trace_id: '1-6930a1b3-fedcba9876543210fedcba98',
  name: 'gateway',
  start_time: 200,
  end_time: 200.004,
  annotations: { route: '/api/users/me' },
  http: { request: { method: 'GET' }, response: { status: 200 } },
};
