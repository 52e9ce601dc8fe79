export interface RollingWindow<C extends string> {
  add(counter: C): void;
  /** One latency sample, in ms. */
  latency(ms: number): void;
  totals(): Record<C, number>;
  latencies(): number[];
}

type Bucket<C extends string> = {
  readonly start: number;
  readonly counts: Record<C, number>;
  readonly latencies: number[];
  sampled: number;
};

const BUCKETS = 10;
/** Latencies kept per bucket; beyond it, a uniform sample of them (reservoir sampling). */
const LATENCY_SAMPLES_PER_BUCKET = 500;

/**
 * Counts and latencies over the last `windowMs`, in ten buckets that expire as time passes.
 * No timer: the buckets are rolled when written or read, so an idle window costs nothing.
 */
export function createRollingWindow<const C extends string>(
  windowMs: number,
  counters: readonly C[],
  now: () => number = Date.now,
): RollingWindow<C> {
  const bucketMs = windowMs / BUCKETS;
  let buckets: Bucket<C>[] = [];
  const zero = () => Object.fromEntries(counters.map((c) => [c, 0])) as Record<C, number>;

  function live(): Bucket<C>[] {
    const oldest = now() - windowMs;
    if (buckets[0] && buckets[0].start + bucketMs <= oldest) {
      buckets = buckets.filter((bucket) => bucket.start + bucketMs > oldest);
    }
    return buckets;
  }

  function current(): Bucket<C> {
    const start = Math.floor(now() / bucketMs) * bucketMs;
    const last = live().at(-1);
    if (last?.start === start) return last;
    const bucket: Bucket<C> = { start, counts: zero(), latencies: [], sampled: 0 };
    buckets.push(bucket);
    return bucket;
  }

  return {
    add(counter) {
      current().counts[counter]++;
    },
    latency(ms) {
      const bucket = current();
      bucket.sampled++;
      if (bucket.latencies.length < LATENCY_SAMPLES_PER_BUCKET) {
        bucket.latencies.push(ms);
        return;
      }
      const slot = Math.floor(Math.random() * bucket.sampled);
      if (slot < LATENCY_SAMPLES_PER_BUCKET) bucket.latencies[slot] = ms;
    },
    totals() {
      const sum = zero();
      for (const bucket of live()) for (const c of counters) sum[c] += bucket.counts[c];
      return sum;
    },
    latencies() {
      return live().flatMap((bucket) => bucket.latencies);
    },
  };
}

/** p50, p95 and p99 by nearest rank, to a tenth of a millisecond; null without samples. */
export function percentiles(
  latencies: readonly number[],
): { p50: number; p95: number; p99: number } | null {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => Math.round((sorted[Math.ceil(p * sorted.length) - 1] ?? 0) * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
