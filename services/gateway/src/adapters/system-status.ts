import type { SystemStatus, UpstreamStatus } from '@storekeeper/contracts';
import type { ServiceClient } from '@storekeeper/platform';
import type { Upstreams } from './upstreams.ts';

export interface SystemStatusOptions {
  /** Bound for each readiness probe. */
  readonly probeTimeoutMs: number;
  /**
   * How long one round of probes answers every status request (default 1 s). The route
   * is public: however often it is asked, each service is probed at most once per period.
   */
  readonly maxAgeMs?: number;
}

export interface SystemStatusReader {
  read(): Promise<SystemStatus>;
}

type Readiness = UpstreamStatus['readiness'];
interface ProbeRound {
  readonly startedAt: number;
  readonly result: Promise<{ checkedAt: string; readiness: Record<string, Readiness> }>;
}

/**
 * The system as the gateway sees it: each service's readiness, probed in parallel outside
 * its circuit breaker, and what the gateway's client of it measured over its window.
 */
export function createSystemStatus(
  upstreams: Upstreams,
  options: SystemStatusOptions,
): SystemStatusReader {
  const maxAgeMs = options.maxAgeMs ?? 1_000;
  const clients = Object.values(upstreams) as ServiceClient[];
  let latest: ProbeRound | undefined;

  async function probe(client: ServiceClient): Promise<Readiness> {
    try {
      const { status } = await client.probe('/health/ready', { timeoutMs: options.probeTimeoutMs });
      return status === 200 ? 'ready' : 'not-ready';
    } catch {
      return 'no-answer';
    }
  }

  function probeRound(): ProbeRound['result'] {
    const now = Date.now();
    if (!latest || now - latest.startedAt >= maxAgeMs) {
      const result = Promise.all(clients.map(async (c) => [c.name, await probe(c)] as const)).then(
        (entries) => ({
          checkedAt: new Date().toISOString(),
          readiness: Object.fromEntries(entries),
        }),
      );
      latest = { startedAt: now, result };
    }
    return latest.result;
  }

  return {
    async read() {
      const { checkedAt, readiness } = await probeRound();
      const services = clients.map((client) =>
        upstreamStatus(client, readiness[client.name] ?? 'no-answer'),
      );
      const ok = services.every((s) => s.readiness === 'ready' && s.breaker === 'closed');
      return { status: ok ? 'ok' : 'degraded', checkedAt, services };
    },
  };
}

function upstreamStatus(client: ServiceClient, readiness: Readiness): UpstreamStatus {
  const stats = client.stats();
  return {
    name: client.name,
    readiness,
    breaker: stats.breaker,
    window: {
      seconds: stats.windowMs / 1000,
      calls: stats.calls,
      failures: stats.failures,
      rejected: stats.rejected,
      retries: stats.retries,
      timeouts: stats.timeouts,
    },
    errorRate: stats.errorRate,
    latencyMs: stats.latencyMs,
  };
}
