import { type Duration, durationToMicros } from "../duration.js";
import { integer, options, positive } from "../validate.js";
import type { TokenBucketRule } from "./rule.js";
import { ruleId } from "./rule-id.js";
import type { RuleKind } from "./rule-kind.js";
import { named } from "./rule-name.js";

/** The token bucket's wire code (lua/algorithms/token-bucket.lua) and id prefix: `tb:<intervalUs>:<burst>`. */
export const TOKEN_BUCKET_WIRE = "tb";

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

/** A token bucket as its id names it: µs per token (rounded up) and the burst. */
export interface TokenBucketSpec {
  readonly kind: "tokenBucket";
  readonly intervalUs: number;
  readonly burst: number;
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
  const perMs = perUs / 1000;
  return Object.freeze({
    kind: "tokenBucket",
    rate,
    perMs,
    burst,
    ...named(
      ruleId(TOKEN_BUCKET_WIRE, interval, burst),
      `tokenBucket(${rate} per ${perMs} ms, burst ${burst})`,
      input.name,
    ),
    capacity: burst,
    size: burst,
    spanUs: interval * burst,
    perSecond: (rate * 1000) / perMs,
    leased: false,
    keepsIds: false,
    wire: Object.freeze([TOKEN_BUCKET_WIRE, interval, burst, 0] as const),
  });
}

/** The token bucket's descriptor; its state is one string, the TAT (µs). */
export const tokenBucketKind: RuleKind<TokenBucketRule, TokenBucketSpec> = {
  kind: "tokenBucket",
  codes: [TOKEN_BUCKET_WIRE],
  scaled: (rule, share) =>
    tokenBucket({ rate: rule.rate * share, per: rule.perMs, burst: Math.max(1, Math.floor(rule.burst * share)) }),
  parseId(_code, params) {
    const [intervalUs = 0, burst = 0] = params;
    return params.length === 2 && intervalUs >= 1 && burst >= 1
      ? { kind: "tokenBucket", intervalUs, burst }
      : undefined;
  },
  // The interval was rounded up to a whole µs, so the rate reads per second to three
  // significant digits (or as one token per interval when slower than 1/s).
  describe({ intervalUs, burst }, duration) {
    const rate =
      intervalUs <= 1_000_000
        ? `${Number((1_000_000 / intervalUs).toPrecision(3))} per 1 s`
        : `1 per ${duration(intervalUs)}`;
    return `tokenBucket ${rate}, burst ${burst}`;
  },
  read: ({ intervalUs: interval, burst }, type, nowUs) =>
    type !== "string"
      ? undefined
      : {
          commands: [["GET"]],
          usage([value]) {
            const tat = Number(value);
            if (value == null || !Number.isFinite(tat)) return undefined;
            const tokens = Math.floor((nowUs + burst * interval - Math.max(tat, nowUs)) / interval);
            const available = Math.min(burst, Math.max(0, tokens));
            // Each unit spent moved the TAT on by one interval; past a full burst, units sit in the future.
            const waiting = Math.max(0, Math.ceil((tat - nowUs) / interval) - burst);
            return { limit: burst, used: burst - available, available, waiting };
          },
        },
  // The TAT also moves when another limit of the quota reserves a later slot.
  estimatesWaiting: true,
};
