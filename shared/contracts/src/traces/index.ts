export {
  exampleGatewaySegment,
  exampleOrderSegment,
  exampleProfileSegment,
  exampleTraceId,
} from './example-trace.ts';
export type { SegmentDocument } from './segment-document.ts';
export {
  isOrderPlacement,
  lastTraceIdInLines,
  latestTrace,
  traceFromLines,
  tracesFromLines,
  traceView,
} from './trace-view.ts';
