import { type SegmentDocument, traceView } from '@storekeeper/contracts/traces';

/**
 * One trace as a terminal waterfall: every segment and subsegment in call order, each
 * service's segment under the call that caused it, with its start offset and duration
 * in milliseconds, its status and a bar on the trace's time line (the spans of
 * `traceView`, which the gateway's development route serves as JSON).
 */
export function renderWaterfall(
  segments: readonly SegmentDocument[],
  options: { barWidth?: number } = {},
): string {
  const barWidth = options.barWidth ?? 32;
  const view = traceView(segments);
  const rows = view.spans;
  if (rows.length === 0) return '(no segments)';

  const span = Math.max(view.durationMs, 1e-3);
  const ms = (value: number) => value.toFixed(1);
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
    const from = Math.floor((row.offsetMs / span) * barWidth);
    const length = Math.max(1, Math.round((row.durationMs / span) * barWidth));
    const bar =
      ' '.repeat(Math.min(from, barWidth - 1)) + '█'.repeat(Math.min(length, barWidth - from));
    const operation = `${'  '.repeat(row.depth)}${row.operation}`;
    return [
      ms(row.offsetMs).padStart(9),
      ms(row.durationMs).padStart(8),
      row.service.padEnd(serviceWidth),
      (operation.length > operationWidth
        ? `${operation.slice(0, operationWidth - 1)}…`
        : operation
      ).padEnd(operationWidth),
      row.status.padEnd(6),
      bar,
    ].join('  ');
  });
  const title = `trace ${view.traceId}: ${ms(view.durationMs)} ms, ${view.services.length} services (${view.services.join(', ')}), ${rows.length} spans`;
  return [title, header, ...lines].join('\n');
}
