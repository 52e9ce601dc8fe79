import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SegmentDocument } from '@storekeeper/contracts/traces';

export interface SegmentReceiver {
  /** For AWS_XRAY_DAEMON_ADDRESS: `host:port`, or `tcp:host:port udp:host:port`. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * What the X-Ray daemon receives, on 127.0.0.1: its TCP proxy's `PutTraceSegments`
 * (`POST /TraceSegments`, a batch of segment documents; how the kit sends them) and its
 * UDP protocol (one datagram per segment, `{"format":"json","version":1}`, a newline, then
 * the document; how the X-Ray SDKs send them). The daemon itself is not published to any
 * registry this project can reach; both protocols are this simple, so `pnpm start` and
 * the tests read them themselves.
 *
 * Binds `port` (the daemon's 2000 by default for `pnpm start`), TCP and UDP alike, and
 * falls back to free ports when it is taken, or binds free ports straight away with
 * `port: 0`.
 */
export async function receiveSegments(
  onSegment: (segment: SegmentDocument) => void,
  options: { port?: number } = {},
): Promise<SegmentReceiver> {
  const wanted = options.port ?? 0;
  const socket = await fallBackWhenTaken(wanted, bindUdp);
  const udpPort = socket.address().port;
  socket.on('message', (datagram) => {
    const segment = parseDatagram(datagram.toString('utf8'));
    if (segment) onSegment(segment);
  });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: object) =>
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(body));
      if (request.method !== 'POST' || request.url !== '/TraceSegments') {
        answer(404, { message: `${request.method} ${request.url} is not an X-Ray API call` });
        return;
      }
      const documents = parseBatch(Buffer.concat(chunks).toString('utf8'));
      if (!documents) {
        answer(400, {
          __type: 'InvalidRequestException',
          message: 'TraceSegmentDocuments must be a list of segment documents',
        });
        return;
      }
      const unprocessed: { Id?: string; ErrorCode: string; Message: string }[] = [];
      for (const text of documents) {
        const segment = parseSegment(text);
        if (segment) onSegment(segment);
        else unprocessed.push({ ErrorCode: 'InvalidSegment', Message: 'not a segment document' });
      }
      answer(200, { UnprocessedTraceSegments: unprocessed });
    });
  });
  // The daemon's one address names both; when the TCP port is taken, the two-address form.
  const tcpPort = await listen(server, udpPort).catch(() => listen(server, 0));
  return {
    address:
      tcpPort === udpPort
        ? `127.0.0.1:${udpPort}`
        : `tcp:127.0.0.1:${tcpPort} udp:127.0.0.1:${udpPort}`,
    async close() {
      server.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => socket.close(() => resolve())),
        new Promise<void>((resolve) => server.close(() => resolve())),
      ]);
    },
  };
}

function bindUdp(port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function fallBackWhenTaken<T>(port: number, bind: (port: number) => Promise<T>): Promise<T> {
  return bind(port).catch((error: NodeJS.ErrnoException) => {
    if (port !== 0 && error.code === 'EADDRINUSE') return bind(0);
    throw error;
  });
}

/** The documents of a `PutTraceSegments` body, or undefined when it is not one. */
function parseBatch(text: string): string[] | undefined {
  try {
    const documents = (JSON.parse(text) as { TraceSegmentDocuments?: unknown })
      .TraceSegmentDocuments;
    return Array.isArray(documents) && documents.every((d) => typeof d === 'string')
      ? (documents as string[])
      : undefined;
  } catch {
    return undefined;
  }
}

/** A segment from one datagram of the daemon protocol; anything else is ignored, as the daemon would. */
export function parseDatagram(text: string): SegmentDocument | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(0, newline)) as { format?: string };
    if (header.format !== 'json') return undefined;
  } catch {
    return undefined;
  }
  return parseSegment(text.slice(newline + 1));
}

function parseSegment(text: string): SegmentDocument | undefined {
  try {
    const segment = JSON.parse(text) as SegmentDocument;
    return typeof segment.trace_id === 'string' && typeof segment.id === 'string'
      ? segment
      : undefined;
  } catch {
    return undefined;
  }
}
