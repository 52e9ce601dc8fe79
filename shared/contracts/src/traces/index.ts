export type { SegmentDocument } from './segment-document.ts';
export { isOrderPlacement, latestTrace, tracesFromLines, traceView } from './trace-view.ts';
