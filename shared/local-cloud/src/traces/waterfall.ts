import type { SegmentDocument } from './receive-segments.ts';

interface Row {
  readonly depth: number;
  readonly service: string;
  readonly operation: string;
  readonly start: number;
  readonly end: number;
  readonly status: string;
}

/**
 * One trace as a terminal waterfall: every segment and subsegment in call order, each
 * service's segment under the call that caused it, with its start offset and duration
 * in milliseconds, its status and a bar on the trace's time line.
 */
export function renderWaterfall(
  segments: readonly SegmentDocument[],
  options: { barWidth?: number } = {},
): string {
  const barWidth = options.barWidth ?? 32;
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

  const rows: Row[] = [];
  const byStart = (a: SegmentDocument, b: SegmentDocument) => a.start_time - b.start_time;
  const visit = (node: SegmentDocument, service: string, depth: number, isSegment: boolean) => {
    rows.push({
      depth,
      service,
      operation: isSegment ? segmentOperation(node) : subsegmentOperation(node),
      start: node.start_time,
      end: node.end_time ?? node.start_time,
      status: statusOf(node),
    });
    const next = [
      ...(node.subsegments ?? []).map((s) => ({ node: s, segment: false })),
      ...(children.get(node.id) ?? []).map((s) => ({ node: s, segment: true })),
    ].sort((a, b) => byStart(a.node, b.node));
    for (const child of next) {
      visit(child.node, child.segment ? child.node.name : service, depth + 1, child.segment);
    }
  };
  for (const root of [...roots].sort(byStart)) visit(root, root.name, 0, true);
  if (rows.length === 0) return '(no segments)';

  const t0 = Math.min(...rows.map((r) => r.start));
  const t1 = Math.max(...rows.map((r) => r.end));
  const span = Math.max(t1 - t0, 1e-6);
  const ms = (seconds: number) => (seconds * 1000).toFixed(1);
  const serviceWidth = Math.max(7, ...rows.map((r) => r.service.length));
  const operationWidth = Math.min(
    60,
    Math.max(9, ...rows.map((r) => r.depth * 2 + r.operation.length)),
  );
  const header = [
    'offset ms'.padStart(9),
    'dur ms'.padStart(8),
    'service'.padEnd(serviceWidth),
    'operation'.padEnd(operationWidth),
    'status'.padEnd(6),
  ].join('  ');
  const lines = rows.map((row) => {
    const from = Math.floor(((row.start - t0) / span) * barWidth);
    const length = Math.max(1, Math.round(((row.end - row.start) / span) * barWidth));
    const bar =
      ' '.repeat(Math.min(from, barWidth - 1)) + '█'.repeat(Math.min(length, barWidth - from));
    const operation = `${'  '.repeat(row.depth)}${row.operation}`;
    return [
      ms(row.start - t0).padStart(9),
      ms(row.end - row.start).padStart(8),
      row.service.padEnd(serviceWidth),
      (operation.length > operationWidth
        ? `${operation.slice(0, operationWidth - 1)}…`
        : operation
      ).padEnd(operationWidth),
      row.status.padEnd(6),
      bar,
    ].join('  ');
  });
  const services = new Set(segments.map((s) => s.name));
  const title = `trace ${segments[0]?.trace_id ?? ''}: ${ms(span)} ms, ${services.size} services (${[...services].join(', ')}), ${rows.length} spans`;
  return [title, header, ...lines].join('\n');
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
