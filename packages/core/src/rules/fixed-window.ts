import { type Duration, durationToMicros } from "../duration.js";
import { integer, options } from "../validate.js";
import { countersOf } from "./counter-hash.js";
import type { FixedWindowRule } from "./rule.js";
import { ruleId } from "./rule-id.js";
import type { LimitUsage, RuleKind } from "./rule-kind.js";
import { named } from "./rule-name.js";

/**
 * The fixed window's wire code (lua/algorithms/fixed-window.lua) and id prefix:
 * `fw:<limit>:<windowUs>:<alignUs>`.
 */
export const FIXED_WINDOW_WIRE = "fw";

export interface FixedWindowOptions {
  /** Admissions per window. Minimum 1. @example 1000 */
  readonly limit: number;
  /** Window length, 1 ms to 366 days. @example "1h" */
  readonly window: Duration;
  /**
   * Offset of the window boundaries from the Unix epoch, 0 to 366 days (taken modulo the
   * window). 0 resets daily windows at 00:00 UTC; `"8h"` at 08:00 UTC.
   * @default 0
   */
  readonly align?: Duration;
  /**
   * Separates this rule's state from another rule with the same parameters in the same quota
   * (two endpoints with equal limits). 1 to 200 characters.
   * @example "user-info"
   */
  readonly name?: string;
}

/** A fixed window as its id names it (µs). */
export interface FixedWindowSpec {
  readonly kind: "fixedWindow";
  readonly limit: number;
  readonly windowUs: number;
  readonly alignUs: number;
}

/**
 * Fixed window: at most `limit` admissions per window; windows start at fixed instants,
 * for APIs that reset their quota at set times (hourly, daily).
 * @example fixedWindow({ limit: 1000, window: "1h" })
 */
export function fixedWindow(input: FixedWindowOptions): FixedWindowRule {
  const opts = options("fixedWindow options", input);
  const limit = integer("limit", opts.limit, 1);
  const windowUs = durationToMicros("window", opts.window);
  const alignUs = durationToMicros("align", opts.align ?? 0, 0) % windowUs;
  const windowMs = windowUs / 1000;
  return Object.freeze({
    kind: "fixedWindow",
    limit,
    windowMs,
    alignMs: alignUs / 1000,
    ...named(
      ruleId(FIXED_WINDOW_WIRE, limit, windowUs, alignUs),
      `fixedWindow(${limit} per ${windowMs} ms)`,
      opts.name,
    ),
    capacity: limit,
    size: limit,
    spanUs: windowUs,
    perSecond: (limit * 1000) / windowMs,
    leased: false,
    keepsIds: false,
    wire: Object.freeze([FIXED_WINDOW_WIRE, limit, windowUs, alignUs] as const),
  });
}

/** The current window's units, and units of later windows (reservations) as waiting. */
function usageOf(
  { limit, windowUs, alignUs }: FixedWindowSpec,
  counters: Map<number, number>,
  nowUs: number,
): LimitUsage {
  const current = Math.floor((nowUs - alignUs) / windowUs);
  let waiting = 0;
  for (const [k, n] of counters) if (k > current) waiting += n;
  const used = counters.get(current) ?? 0;
  return { limit, used, available: Math.max(0, limit - used), waiting };
}

/**
 * The fixed window's descriptor. Its state is one integer, `k * (limit + 1) + units` of window
 * k, while every admission lies in the current window; else a hash of units per window.
 */
export const fixedWindowKind: RuleKind<FixedWindowRule, FixedWindowSpec> = {
  kind: "fixedWindow",
  codes: [FIXED_WINDOW_WIRE],
  scaled: (rule, share) =>
    fixedWindow({ limit: Math.max(1, Math.floor(rule.limit * share)), window: rule.windowMs, align: rule.alignMs }),
  parseId(_code, params) {
    const [limit = 0, windowUs = 0, alignUs = 0] = params;
    return params.length === 3 && limit >= 1 && windowUs >= 1
      ? { kind: "fixedWindow", limit, windowUs, alignUs }
      : undefined;
  },
  describe: ({ limit, windowUs, alignUs }, duration) =>
    `fixedWindow ${limit} per ${duration(windowUs)}${alignUs > 0 ? `, aligned +${duration(alignUs)}` : ""}`,
  read(spec, type, nowUs) {
    if (type === "hash") {
      return {
        commands: [["HGETALL"]],
        usage([hash]) {
          const counters = countersOf(hash);
          return counters && usageOf(spec, counters, nowUs);
        },
      };
    }
    if (type !== "string") return undefined;
    return {
      commands: [["GET"]],
      usage([value]) {
        const packed = Number(value);
        if (value == null || !Number.isSafeInteger(packed)) return undefined;
        const k = Math.floor(packed / (spec.limit + 1));
        return usageOf(spec, new Map([[k, packed - k * (spec.limit + 1)]]), nowUs);
      },
    };
  },
  estimatesWaiting: false,
};
