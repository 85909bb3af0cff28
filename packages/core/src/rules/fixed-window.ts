import { type Duration, durationToMicros } from "../duration.js";
import { integer, options } from "../validate.js";
import type { FixedWindowRule } from "./rule.js";
import { named } from "./rule-name.js";

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
    ...named(`fw:${limit}:${windowUs}:${alignUs}`, `fixedWindow(${limit} per ${windowMs} ms)`, opts.name),
    capacity: limit,
    spanUs: windowUs,
    wire: Object.freeze(["fw", limit, windowUs, alignUs] as const),
  });
}
