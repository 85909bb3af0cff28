import type { Decide } from "../contenders/contender.js";

export interface PassResult {
  readonly decisions: number;
  readonly denied: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

/**
 * Keeps `inFlight` decisions going for `durationMs` and times each one. Decisions still running at
 * the end are awaited and counted (their time is in the elapsed time too).
 */
export async function measurePass(
  decide: Decide,
  keyOf: (i: number) => string,
  inFlight: number,
  durationMs: number,
): Promise<PassResult> {
  const latencies: number[] = [];
  let denied = 0;
  let next = 0;
  const start = performance.now();
  const end = start + durationMs;
  async function lane(): Promise<void> {
    while (performance.now() < end) {
      const key = keyOf(next++);
      const t0 = performance.now();
      if (!(await decide(key))) denied++;
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsed = performance.now() - start;
  const sorted = Float64Array.from(latencies).sort();
  return {
    decisions: latencies.length,
    denied,
    perSecond: (latencies.length / elapsed) * 1000,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}
