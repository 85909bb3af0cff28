import { ietfWait, parseIetfRateLimit } from "./parse-ietf-rate-limit.js";
import { parseResetAfter } from "./parse-reset-after.js";
import { parseRetryAfter } from "./parse-retry-after.js";
import { parseXRateLimit } from "./parse-x-rate-limit.js";

/** Which header decided a server wait. */
export type WaitSource = "retry-after" | "x-ratelimit-reset-after" | "ratelimit" | "x-ratelimit-reset";

export interface ServerWait {
  /** Ms the server asks the client to wait (finite, >= 0, capped). */
  readonly waitMs: number;
  readonly source: WaitSource;
}

/**
 * How long a response tells the client to hold off, or `undefined` when it does not say.
 * `Retry-After` wins whenever present and valid. Otherwise, for a 429 or when a header says
 * nothing is left, the first of `X-RateLimit-Reset-After`, IETF `RateLimit` (exhausted
 * policies) and `X-RateLimit-Reset` (and its spellings). Never throws.
 */
export function serverWait(
  response: Pick<Response, "status" | "headers">,
  now: number = Date.now(),
): ServerWait | undefined {
  const { headers } = response;
  const retryAfter = parseRetryAfter(headers.get("retry-after"), headers.get("date"), now);
  if (retryAfter !== undefined) return { waitMs: retryAfter, source: "retry-after" };
  const x = parseXRateLimit(headers, now);
  const limited = response.status === 429 || x.remaining === 0;
  const resetAfter = parseResetAfter(headers.get("x-ratelimit-reset-after"));
  if (limited && resetAfter !== undefined) return { waitMs: resetAfter, source: "x-ratelimit-reset-after" };
  const ietf = ietfWait(parseIetfRateLimit(headers.get("ratelimit")));
  if (ietf !== undefined) return { waitMs: ietf, source: "ratelimit" };
  if (limited && x.resetAfterMs !== undefined) return { waitMs: x.resetAfterMs, source: "x-ratelimit-reset" };
  return undefined;
}
