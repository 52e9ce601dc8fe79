import {
  isOrderPlacement,
  lastTraceIdInLines,
  readTraceLines,
  type SegmentDocument,
  traceFromLines,
} from '@storekeeper/contracts/traces';

export interface TraceReader {
  /** Whether a trace file is kept at all (only under `pnpm start`). */
  readonly kept: boolean;
  /** One trace's segments, or undefined when the file has none of it. */
  trace(traceId: string): Promise<SegmentDocument[] | undefined>;
  /** The last trace written with an order placement, or of any request. */
  latest(of: 'order' | 'request'): Promise<SegmentDocument[] | undefined>;
}

/**
 * The segments `pnpm start` keeps as JSON lines (`path`, and `path.1` once rotated), read
 * afresh on each call (the file grows while the system runs), parsing only the lines of
 * the trace asked for. A missing file holds no traces.
 */
export function traceFileReader(path: string | undefined): TraceReader {
  const text = async () => (path ? readTraceLines(path) : '');
  return {
    kept: path !== undefined,
    async trace(traceId) {
      return traceFromLines(await text(), traceId);
    },
    async latest(of) {
      const lines = await text();
      const traceId =
        of === 'order'
          ? lastTraceIdInLines(lines, isOrderPlacement, '"/api/orders"')
          : lastTraceIdInLines(lines);
      return traceId ? traceFromLines(lines, traceId) : undefined;
    },
  };
}
