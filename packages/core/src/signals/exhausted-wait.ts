import { ietfWait, parseIetfRateLimit } from "./parse-ietf-rate-limit.js";
import { parseResetAfter } from "./parse-reset-after.js";
import { parseXRateLimit } from "./parse-x-rate-limit.js";

/**
 * The wait until reset when a response's headers say the server's quota is spent, whatever its
 * status: `X-RateLimit-Remaining: 0` (or a spelling of it) with `X-RateLimit-Reset-After` or
 * `X-RateLimit-Reset`, or an IETF `RateLimit` policy with `r=0` and `t`. The longest wait wins
 * when several say so. `undefined` when nothing says "0 left" with a reset. `Retry-After` is
 * not read: it belongs to 429/503 answers, which `serverWait` handles. Never throws.
 * @example exhaustedWait(new Headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "30" })) // 30000
 */
export function exhaustedWait(headers: Headers, now: number = Date.now()): number | undefined {
  const waits: number[] = [];
  const x = parseXRateLimit(headers, now);
  if (x.remaining === 0) {
    const reset = parseResetAfter(headers.get("x-ratelimit-reset-after")) ?? x.resetAfterMs;
    if (reset !== undefined) waits.push(reset);
  }
  const ietf = ietfWait(parseIetfRateLimit(headers.get("ratelimit")));
  if (ietf !== undefined) waits.push(ietf);
  return waits.length === 0 ? undefined : Math.max(...waits);
}
