// Figures of one sharing run, from the times (ms, one monotonic clock) at which the server
// accepted requests.

/** A sliding window allows `limit` at once and `limit` per window after: over t ms, limit·(1 + t/window). */
export function utilisation(accepted: readonly number[], limit: number, windowMs: number): number {
  if (accepted.length === 0) return 0;
  const span = Math.max(...accepted) - Math.min(...accepted);
  return accepted.length / (limit * (1 + span / windowMs));
}

/**
 * The share of the server's quota these accepted requests used over [fromMs, toMs): each holds
 * one unit of the quota for one window from its arrival, and the units held, averaged over the
 * interval, are divided by the limit. Unlike a count of the requests in the interval, this does
 * not depend on where a window's bursts fall against its ends: a quota kept full is 100%.
 */
export function steadyUse(
  accepted: readonly number[],
  fromMs: number,
  toMs: number,
  limit: number,
  windowMs: number,
): number {
  let held = 0;
  for (const at of accepted) held += Math.max(0, Math.min(at + windowMs, toMs) - Math.max(at, fromMs));
  return held / windowMs / (limit * ((toMs - fromMs) / windowMs));
}

export function medianAndMost(values: readonly number[]): { p50: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] as number, max: sorted[sorted.length - 1] as number };
}
