/**
 * The longest wait a server signal may ask for: 366 days, the longest `Quota.pause` accepts.
 * Anything longer is clamped, so a hostile or broken header can never ask for an endless wait.
 */
export const MAX_SERVER_WAIT_MS = 366 * 24 * 60 * 60 * 1000;

/** A wait in ms as every parser returns it: finite, >= 0, at most `MAX_SERVER_WAIT_MS`; else `undefined`. */
export function capWait(ms: number): number | undefined {
  if (Number.isNaN(ms)) return undefined;
  if (ms === Number.POSITIVE_INFINITY) return MAX_SERVER_WAIT_MS;
  if (ms === Number.NEGATIVE_INFINITY) return 0;
  return Math.min(MAX_SERVER_WAIT_MS, Math.max(0, Math.ceil(ms)));
}
