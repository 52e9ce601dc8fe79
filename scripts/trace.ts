/**
 * `pnpm trace <trace-id>` or `pnpm trace --last`: one trace of the system that
 * `pnpm start` runs, as a waterfall in the terminal. `pnpm start` receives every
 * service's segments (the X-Ray daemon protocol) and keeps them in .local/traces/.
 *
 *   pnpm trace --last            the latest order (POST /api/orders)
 *   pnpm trace --last-request    the latest request of any kind
 *   pnpm trace 1-6930a1b2-…      that trace (the Root of a response's X-Amzn-Trace-Id)
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  isOrderPlacement,
  lastTraceIdInLines,
  readTraceLines,
  type SegmentDocument,
  traceFromLines,
} from '../shared/contracts/src/traces/index.ts';
import { renderWaterfall } from '../shared/local-cloud/src/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const file = `${root}.local/traces/segments.jsonl`;
const { values, positionals } = parseArgs({
  options: {
    last: { type: 'boolean', default: false },
    'last-request': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

// The same reading as the gateway's development route: only the lines of the trace shown.
const lines = await readTraceLines(file);
if (!lines.trim()) {
  console.error(`No traces in ${file}. Start the system with \`pnpm start\` and make a request.`);
  process.exit(1);
}

let chosen: readonly SegmentDocument[] | undefined;
if (positionals[0]) {
  chosen = traceFromLines(lines, positionals[0]);
  if (!chosen) {
    console.error(`No trace ${positionals[0]} in ${file}.`);
    process.exit(1);
  }
} else if (values.last || values['last-request']) {
  const traceId = values.last
    ? lastTraceIdInLines(lines, isOrderPlacement, '"/api/orders"')
    : lastTraceIdInLines(lines);
  chosen = traceId ? traceFromLines(lines, traceId) : undefined;
  if (!chosen) {
    console.error('No order has been placed since `pnpm start` began keeping traces.');
    process.exit(1);
  }
} else {
  console.error('Usage: pnpm trace <trace-id> | --last | --last-request');
  process.exit(2);
}
console.info(renderWaterfall(chosen));
