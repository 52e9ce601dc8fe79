import { createSocket } from 'node:dgram';
import { waitFor } from './wait-for.ts';

/** One X-Ray segment document as a service sent it (the parts the tests read). */
export interface SegmentDocument {
  readonly id: string;
  readonly trace_id: string;
  readonly name: string;
  readonly parent_id?: string;
  readonly start_time: number;
  readonly end_time?: number;
  readonly fault?: boolean;
  readonly error?: boolean;
  readonly throttle?: boolean;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly http?: {
    readonly request?: { readonly method?: string; readonly url?: string };
    readonly response?: { readonly status?: number };
  };
  readonly subsegments?: readonly SegmentDocument[];
  readonly [field: string]: unknown;
}

export interface TraceCollector {
  /** `host:port` for AWS_XRAY_DAEMON_ADDRESS. */
  readonly address: string;
  /** Every segment received so far, in arrival order. */
  segments(): readonly SegmentDocument[];
  /** Waits until `predicate` holds for the segments received, up to `timeoutMs`. */
  waitFor(
    predicate: (segments: readonly SegmentDocument[]) => boolean,
    options?: { timeoutMs?: number; description?: string },
  ): Promise<readonly SegmentDocument[]>;
  close(): Promise<void>;
}

/**
 * What the X-Ray daemon would receive: a UDP socket on 127.0.0.1 reading the daemon
 * protocol, one datagram per segment, `{"format":"json","version":1}` then a newline
 * then the segment document. The real daemon is not published to any registry this
 * project can reach; its protocol is this simple, so the tests and `pnpm start` read it
 * themselves.
 */
export async function startTraceCollector(): Promise<TraceCollector> {
  const socket = createSocket('udp4');
  const received: SegmentDocument[] = [];
  socket.on('message', (datagram) => {
    const text = datagram.toString('utf8');
    const newline = text.indexOf('\n');
    if (newline < 0) return;
    try {
      const header = JSON.parse(text.slice(0, newline)) as { format?: string };
      if (header.format !== 'json') return;
      received.push(JSON.parse(text.slice(newline + 1)) as SegmentDocument);
    } catch {
      // not a segment: ignored, as the daemon would
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    segments: () => received,
    async waitFor(predicate, options = {}) {
      await waitFor(() => predicate(received), {
        timeout: options.timeoutMs ?? 5_000,
        description: options.description ?? 'the expected segments',
      });
      return received;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
