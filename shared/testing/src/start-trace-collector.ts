import type { SegmentDocument } from '@storekeeper/contracts/traces';
import { receiveSegments } from '@storekeeper/local-cloud';
import { waitFor } from './wait-for.ts';

export type { SegmentDocument };

export interface TraceCollector {
  /** For AWS_XRAY_DAEMON_ADDRESS: `host:port`, or `tcp:host:port udp:host:port`. */
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
 * A stand-in for the X-Ray daemon on free ports (its TCP proxy's PutTraceSegments and its
 * UDP protocol), keeping what it receives for assertions.
 */
export async function startTraceCollector(): Promise<TraceCollector> {
  const received: SegmentDocument[] = [];
  const receiver = await receiveSegments((segment) => received.push(segment), { port: 0 });
  return {
    address: receiver.address,
    segments: () => received,
    async waitFor(predicate, options = {}) {
      await waitFor(() => predicate(received), {
        timeout: options.timeoutMs ?? 5_000,
        description: options.description ?? 'the expected segments',
      });
      return received;
    },
    close: () => receiver.close(),
  };
}
