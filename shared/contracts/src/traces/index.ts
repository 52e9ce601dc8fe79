export {
  exampleGatewaySegment,
  exampleOrderSegment,
  exampleProfileSegment,
  exampleTraceId,
} from './example-trace.ts';
export { readTraceLines } from './read-trace-lines.ts';
export type { SegmentDocument } from './segment-document.ts';
export {
  isOrderPlacement,
  lastTraceIdInLines,
  traceFromLines,
  tracesFromLines,
  traceView,
} from './trace-view.ts';
