import { createSocket, type Socket } from 'node:dgram';
import type { SegmentDocument } from '@storekeeper/contracts/traces';

export interface SegmentReceiver {
  /** `host:port` for AWS_XRAY_DAEMON_ADDRESS. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * What the X-Ray daemon receives: a UDP socket on 127.0.0.1 reading the daemon protocol,
 * one datagram per segment, `{"format":"json","version":1}`, a newline, then the segment
 * document. The daemon itself is not published to any registry this project can reach;
 * its protocol is this simple, so `pnpm start` and the tests read it themselves.
 *
 * Binds `port` (the daemon's 2000 by default for `pnpm start`) and falls back to any free
 * port when it is taken, or binds a free port straight away with `port: 0`.
 */
export async function receiveSegments(
  onSegment: (segment: SegmentDocument) => void,
  options: { port?: number } = {},
): Promise<SegmentReceiver> {
  const bind = (port: number) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });
  const wanted = options.port ?? 0;
  const socket = await bind(wanted).catch((error: NodeJS.ErrnoException) => {
    if (wanted !== 0 && error.code === 'EADDRINUSE') return bind(0);
    throw error;
  });
  socket.on('message', (datagram) => {
    const segment = parseDatagram(datagram.toString('utf8'));
    if (segment) onSegment(segment);
  });
  return {
    address: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** A segment from one datagram of the daemon protocol; anything else is ignored, as the daemon would. */
export function parseDatagram(text: string): SegmentDocument | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(0, newline)) as { format?: string };
    if (header.format !== 'json') return undefined;
    const segment = JSON.parse(text.slice(newline + 1)) as SegmentDocument;
    return typeof segment.trace_id === 'string' && typeof segment.id === 'string'
      ? segment
      : undefined;
  } catch {
    return undefined;
  }
}
