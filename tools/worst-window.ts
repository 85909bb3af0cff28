/**
 * The most times (ms) that fall in any interval (t - windowMs, t]: what an exact sliding
 * window of `windowMs` would count at its fullest.
 */
export function worstWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[first] as number) <= (sorted[last] as number) - windowMs) first++;
    worst = Math.max(worst, last - first + 1);
  }
  return worst;
}
