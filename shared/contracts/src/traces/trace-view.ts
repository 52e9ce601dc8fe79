import type { TraceView } from '../http/gateway-api.ts';
import type { SegmentDocument } from './segment-document.ts';

/**
 * Traces from segment documents as JSON lines (the file `pnpm start` keeps; older text
 * first), each trace's segments in the order written. A segment sent twice (in progress,
 * then complete) counts once, as its last version; a line cut short is skipped.
 */
export function tracesFromLines(text: string): Map<string, SegmentDocument[]> {
  const segments = new Map<string, SegmentDocument>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const segment = JSON.parse(line) as SegmentDocument;
      segments.delete(segment.id);
      segments.set(segment.id, segment);
    } catch {
      // a line cut short by a crash: skipped
    }
  }
  const traces = new Map<string, SegmentDocument[]>();
  for (const segment of segments.values()) {
    const trace = traces.get(segment.trace_id) ?? [];
    trace.push(segment);
    traces.set(segment.trace_id, trace);
  }
  return traces;
}

/**
 * One trace's segments from JSON lines, parsing only the lines that name it: a long
 * session's file holds megabytes of other traces.
 */
export function traceFromLines(text: string, traceId: string): SegmentDocument[] | undefined {
  const lines = text.split('\n').filter((line) => line.includes(traceId));
  return tracesFromLines(lines.join('\n')).get(traceId);
}

/**
 * The trace id of the last segment written with `matching` (default: any), reading from
 * the end and parsing only the lines that `hint` (a substring) allows.
 */
export function lastTraceIdInLines(
  text: string,
  matching: (segment: SegmentDocument) => boolean = () => true,
  hint = '',
): string | undefined {
  const lines = text.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index] ?? '';
    if (!line.trim() || !line.includes(hint)) continue;
    try {
      const segment = JSON.parse(line) as SegmentDocument;
      if (matching(segment)) return segment.trace_id;
    } catch {
      // a line cut short by a crash: skipped
    }
  }
  return undefined;
}

/** The segment of an order placement through the gateway. */
export function isOrderPlacement(segment: SegmentDocument): boolean {
  return segment.annotations?.route === '/api/orders' && segment.http?.request?.method === 'POST';
}

/**
 * One trace as spans in call order: each service's segment under the call that caused it,
 * subsegments under their segment, siblings by start time; offsets from the trace's start.
 */
export function traceView(segments: readonly SegmentDocument[]): TraceView {
  const children = new Map<string, SegmentDocument[]>();
  const ids = new Set<string>();
  const collect = (node: SegmentDocument) => {
    ids.add(node.id);
    for (const child of node.subsegments ?? []) collect(child);
  };
  for (const segment of segments) collect(segment);
  const roots: SegmentDocument[] = [];
  for (const segment of segments) {
    if (segment.parent_id && ids.has(segment.parent_id)) {
      const siblings = children.get(segment.parent_id) ?? [];
      siblings.push(segment);
      children.set(segment.parent_id, siblings);
    } else {
      roots.push(segment);
    }
  }

  const nodes: { depth: number; service: string; node: SegmentDocument; isSegment: boolean }[] = [];
  const byStart = (a: SegmentDocument, b: SegmentDocument) => a.start_time - b.start_time;
  const visit = (node: SegmentDocument, service: string, depth: number, isSegment: boolean) => {
    nodes.push({ depth, service, node, isSegment });
    const next = [
      ...(node.subsegments ?? []).map((s) => ({ node: s, segment: false })),
      ...(children.get(node.id) ?? []).map((s) => ({ node: s, segment: true })),
    ].sort((a, b) => byStart(a.node, b.node));
    for (const child of next) {
      visit(child.node, child.segment ? child.node.name : service, depth + 1, child.segment);
    }
  };
  for (const root of [...roots].sort(byStart)) visit(root, root.name, 0, true);

  const endOf = (node: SegmentDocument) => node.end_time ?? node.start_time;
  const t0 = Math.min(...nodes.map((n) => n.node.start_time));
  const t1 = Math.max(...nodes.map((n) => endOf(n.node)));
  const ms = (seconds: number) => Math.round(seconds * 10_000) / 10;
  return {
    traceId: segments[0]?.trace_id ?? '',
    durationMs: nodes.length > 0 ? ms(t1 - t0) : 0,
    services: [...new Set(nodes.filter((n) => n.isSegment).map((n) => n.service))],
    spans: nodes.map(({ depth, service, node, isSegment }) => ({
      depth,
      service,
      operation: isSegment ? segmentOperation(node) : subsegmentOperation(node),
      offsetMs: ms(node.start_time - t0),
      durationMs: ms(endOf(node) - node.start_time),
      status: statusOf(node),
    })),
  };
}

function segmentOperation(segment: SegmentDocument): string {
  const annotations = segment.annotations ?? {};
  if (typeof annotations.route === 'string') {
    return `${segment.http?.request?.method ?? 'HTTP'} ${annotations.route}`;
  }
  if (typeof annotations.operation === 'string') return `consume ${annotations.operation}`;
  return segment.name;
}

function subsegmentOperation(node: SegmentDocument): string {
  if (node.namespace === 'aws') return `${node.name} ${node.aws?.operation ?? ''}`.trim();
  if (node.sql) return `SQL ${node.sql.sanitized_query ?? ''}`;
  const request = node.http?.request;
  if (request?.url) {
    const path = URL.canParse(request.url) ? new URL(request.url).pathname : request.url;
    return `→ ${node.name} ${request.method ?? ''} ${path}`.replace(/\s+/g, ' ');
  }
  return node.name;
}

function statusOf(node: SegmentDocument): string {
  const status = node.http?.response?.status;
  if (node.fault) return status ? `${status}!` : 'fault';
  if (node.error) return status ? `${status}?` : 'error';
  if (status) return String(status);
  return node.in_progress ? '…' : 'ok';
}
