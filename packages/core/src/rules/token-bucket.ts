import { type Duration, durationToMicros } from "../duration.js";
import { integer, options, positive } from "../validate.js";
import type { TokenBucketRule } from "./rule.js";
import { named } from "./rule-name.js";

export interface TokenBucketOptions {
  /**
   * Tokens added per `per`. Fractions are fine (0.5 per second).
   * @example 11
   */
  readonly rate: number;
  /**
   * The period `rate` refers to.
   * @default "1s"
   */
  readonly per?: Duration;
  /**
   * Bucket size: how many units may go at once after a quiet period. Minimum 1.
   * @default Math.max(1, Math.floor(rate))
   */
  readonly burst?: number;
  /**
   * Separates this rule's state from another rule with the same parameters in the same quota
   * (two endpoints with equal limits). 1 to 200 characters.
   * @example "user-info"
   */
  readonly name?: string;
}

/**
 * Token bucket, as GCRA: `rate` units per `per`, bursts up to `burst`. One key, O(1).
 * The emission interval is rounded up to a whole microsecond, so it is never faster than asked.
 * @example tokenBucket({ rate: 11, per: "1s", burst: 11 })
 */
export function tokenBucket(input: TokenBucketOptions): TokenBucketRule {
  const { rate, per = 1000, burst = Math.max(1, Math.floor(input?.rate)) } = options("tokenBucket options", input);
  positive("rate", rate);
  const perUs = durationToMicros("per", per);
  integer("burst", burst, 1);
  const interval = Math.ceil(perUs / rate);
  if (!Number.isSafeInteger(interval * burst)) positive("burst * per / rate (microseconds)", interval * burst);
  return Object.freeze({
    kind: "tokenBucket",
    rate,
    perMs: perUs / 1000,
    burst,
    ...named(`tb:${interval}:${burst}`, `tokenBucket(${rate} per ${perUs / 1000} ms, burst ${burst})`, input.name),
    capacity: burst,
    spanUs: interval * burst,
    wire: Object.freeze(["tb", interval, burst, 0] as const),
  });
}
