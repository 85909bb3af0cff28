/**
 * Exponential backoff with full jitter: a uniform draw in [0, min(cap, base * 2^attempt)).
 * `attempt` counts from 0 (the first retry). Spreads retries of many clients apart.
 * @example fullJitterDelay(3, 300, 30_000) // somewhere in [0, 2400)
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 52));
  const draw = random();
  return Math.floor((Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0) * ceiling);
}
