import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { type ChildSubject, createTracing, type SpanBackend } from './create-tracing.ts';
import type { Tracing } from './tracing.ts';

// Manual mode: the SDK builds and sends segments; which one is current is kept by the
// kit's AsyncLocalStorage, not by the SDK's cls-hooked namespace (a userland async_hooks
// shim that Node has superseded). Set before the SDK is loaded, which reads it then.
process.env.AWS_XRAY_MANUAL_MODE = 'true';
const { default: AWSXRay } = await import('aws-xray-sdk-core');

type Segment = InstanceType<typeof AWSXRay.Segment>;
type Subsegment = InstanceType<typeof AWSXRay.Subsegment>;
type Node = Segment | Subsegment;

/** The parts of an X-Ray trace header (`Root=…;Parent=…;Sampled=…`). */
interface TraceData {
  root?: string;
  parent?: string;
  sampled?: string;
}

export interface XRayTracingOptions {
  readonly service: string;
  /** `host:port` of the daemon (UDP). */
  readonly daemonAddress: string;
  /** Share of traces kept beyond the first each second; 1 keeps every trace. */
  readonly samplingRate: number;
  readonly logger: Logger;
}

/**
 * X-Ray through aws-xray-sdk-core: segments and subsegments are the SDK's, sent to the
 * daemon over UDP as they close. Sampling follows local rules (no centralized sampling
 * calls to the daemon), decided once per trace at its first service and carried on.
 */
export function createXRayTracing(options: XRayTracingOptions): Tracing {
  const sdkLog = options.logger.child({ component: 'xray' }, { level: 'warn' });
  AWSXRay.setLogger({
    error: (message: string) => sdkLog.error(message),
    warn: (message: string) => sdkLog.warn(message),
    info: (message: string) => sdkLog.info(message),
    debug: (message: string) => sdkLog.debug(message),
  });
  // The SDK reads AWS_XRAY_DAEMON_ADDRESS itself, and warns when told again.
  if (!process.env.AWS_XRAY_DAEMON_ADDRESS) AWSXRay.setDaemonAddress(options.daemonAddress);
  AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.middleware.setSamplingRules({
    version: 2,
    default: { fixed_target: 1, rate: options.samplingRate },
    rules: [],
  });

  // The kit sends closed segments; the SDK's emitter, told the same address above, is
  // left only the subsegments it streams on its own (a segment with over 100 of them).
  const send = segmentSender(udpAddressOf(options.daemonAddress), sdkLog);
  const flagStatus = (node: Node, status: number) => {
    if (status === 429) node.addThrottleFlag();
    if (status >= 500) node.addFaultFlag();
    else if (status >= 400) node.addErrorFlag();
  };

  const backend: SpanBackend<Node> = {
    kind: 'xray',

    openRoot(service, _operation, traceHeader, sample) {
      const data: TraceData = traceHeader ? AWSXRay.utils.processTraceData(traceHeader) : {};
      const segment = new AWSXRay.Segment(service, data.root, data.parent);
      // The SDK's own flush copies the segment and serializes it twice (once for a debug
      // line built whether or not it is logged); see segmentSender.
      segment.flush = () => send(segment);
      // The caller's decision stands; a trace's first service decides by the rules.
      // It reads only the host, method and URL of the response's request.
      const response = {
        req: { headers: { host: sample.host }, method: sample.method, url: sample.url },
      } as unknown as Parameters<typeof AWSXRay.middleware.resolveSampling>[2];
      AWSXRay.middleware.resolveSampling(data as Record<string, string>, segment, response);
      return segment;
    },

    describeRequest(root, request) {
      (root as Segment).addIncomingRequestData(new AWSXRay.middleware.IncomingRequestData(request));
    },

    closeRequest(root, outcome) {
      const segment = root as Segment;
      (segment as unknown as { http: { close(res: unknown): void } }).http.close(outcome.response);
      flagStatus(segment, outcome.status);
      segment.addAnnotation('route', outcome.route);
      if (outcome.userId) segment.addAnnotation('userId', outcome.userId);
      if (outcome.error) segment.addError(outcome.error);
      segment.close();
    },

    annotate(span, key, value) {
      span.addAnnotation(key, value);
    },

    closeRoot(root, error) {
      root.close(error ?? null);
    },

    isSampled(root) {
      return !(root as Segment).notTraced;
    },

    openChild(_root, parent, subject) {
      const child = parent.addNewSubsegment(nameOf(subject));
      child.addAttribute('namespace', subject.kind === 'aws' ? 'aws' : 'remote');
      if (subject.kind === 'http') {
        child.addAttribute('http', { request: { method: subject.method, url: subject.url } });
      } else if (subject.kind === 'aws') {
        child.addAttribute('aws', { operation: subject.operation });
      } else {
        child.addAttribute('sql', {
          url: `postgresql://${subject.target.host}/${subject.target.database}`,
          user: subject.target.user,
          database_type: 'PostgreSQL',
          sanitized_query: subject.statement,
        });
      }
      return child;
    },

    closeChild(child, outcome) {
      const subsegment = child as Subsegment & { http?: object; aws?: object };
      if (outcome.status !== undefined) {
        subsegment.http = {
          ...subsegment.http,
          response: { status: outcome.status },
        };
        flagStatus(subsegment, outcome.status);
      }
      if (outcome.requestId || outcome.retries) {
        subsegment.aws = {
          ...subsegment.aws,
          ...(outcome.requestId ? { request_id: outcome.requestId } : {}),
          ...(outcome.retries ? { retries: outcome.retries } : {}),
        };
      }
      subsegment.close(outcome.error ?? null, outcome.error ? true : undefined);
    },

    headerOf(root, current) {
      const sampled = (root as Segment).notTraced ? '0' : '1';
      return `Root=${(root as Segment).trace_id};Parent=${current.id};Sampled=${sampled}`;
    },

    traceIdOf(root) {
      return (root as Segment).trace_id;
    },

    // Segments are sent as they close (UDP, fire and forget): nothing is held back.
    close: async () => undefined,
  };
  return createTracing(backend, options.service);
}

function nameOf(subject: ChildSubject): string {
  if (subject.kind === 'sql') return subject.target.database;
  return subject.service;
}

const protocolHeader = '{"format":"json","version":1}\n';

/** The SDK's links between nodes and its bookkeeping: not part of a segment document. */
const internalFields = new Set(['segment', 'parent', 'counter', 'notTraced']);

/**
 * The segment document the daemon reads, as the SDK's own `format()` writes it, at a
 * fraction of the cost: own fields only, without the internal ones (the SDK walks every
 * prototype method for each node) and stringified without a replacer function (the SDK's
 * turns BigInts into strings; a segment that holds one falls back to its way).
 */
function serialize(segment: Segment): string {
  try {
    return JSON.stringify(documentOf(segment));
  } catch {
    return segment.format();
  }
}

function documentOf(node: object): Record<string, unknown> {
  const document: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (internalFields.has(key) || value === undefined) continue;
    if (key === 'subsegments') {
      if (Array.isArray(value) && value.length > 0) document[key] = value.map(documentOf);
      continue;
    }
    document[key] = value;
  }
  return document;
}

/**
 * The daemon's UDP address from AWS_XRAY_DAEMON_ADDRESS's two forms, as the SDK reads
 * them: `host:port`, or `tcp:host:port udp:host:port`.
 */
export function udpAddressOf(address: string): { host: string; port: number } {
  const udp = /(?:^|\s)udp:(\S+)/.exec(address)?.[1] ?? address.trim();
  const at = udp.lastIndexOf(':');
  const port = Number(udp.slice(at + 1));
  if (at < 1 || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TypeError(`AWS_XRAY_DAEMON_ADDRESS: "${address}" is not host:port`);
  }
  return { host: udp.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

/**
 * Sends closed segments to the daemon as the SDK would (its protocol header, the segment
 * as JSON, one datagram each), serializing each once, over one connected UDP socket.
 * Fire and forget: a send that fails is logged (once a minute at most) and dropped.
 */
function segmentSender(
  daemon: { host: string; port: number },
  logger: Logger,
): (segment: Segment) => void {
  let socket: Socket | undefined;
  // What closed while the socket was still connecting, sent once it has (bounded).
  let connecting: string[] | undefined;
  let lastWarning = 0;
  const warn = (error: Error | null) => {
    if (!error || Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    logger.warn({ err: error }, 'could not send a segment to the X-Ray daemon');
  };
  const open = () => {
    const opened = createSocket(isIPv6(daemon.host) ? 'udp6' : 'udp4').unref();
    opened.on('error', warn);
    connecting = [];
    opened.connect(daemon.port, daemon.host, () => {
      const queued = connecting ?? [];
      connecting = undefined;
      for (const message of queued) opened.send(message, warn);
    });
    return opened;
  };
  return (segment) => {
    if (segment.notTraced === true) return;
    socket ??= open();
    const message = protocolHeader + serialize(segment);
    if (!connecting) socket.send(message, warn);
    else if (connecting.length < 1_000) connecting.push(message);
  };
}
