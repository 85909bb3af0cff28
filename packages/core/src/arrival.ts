import { type Duration, durationToMicros } from "./duration.js";
import type { Rule } from "./rules/rule.js";
import { invalid } from "./validate.js";

/** The arrival part's wire code (lua/algorithms/arrival.lua), sent after a quota's limits. */
export const ARRIVAL_WIRE = "ar";

/** The arrival part of a quota as the scripts take it (lua/algorithms/arrival.lua). */
export interface ArrivalPart {
  /** `<prefix>:{<name>}:arrival`, in the quota's slot. */
  readonly key: string;
  readonly wire: readonly [code: typeof ARRIVAL_WIRE, marginUs: number, paceUs: number, capUs: number];
}

/** The arrival figures a decision was made with. */
export interface ArrivalFigures {
  /** Ms every window of the quota was lengthened by (a token bucket: a slot's extra distance). */
  readonly marginMs: number;
  /** Share of every configured limit in force, 0.1 to 1 (below 1 after spend outside Sluice). */
  readonly share: number;
}

/** Largest starting margin of a learning quota: enough for a host whose event loops lag a little. */
const START_MARGIN_US = 25_000;
/** Largest default spacing of slots: a millisecond spreads slots that fall due together. */
const PACE_US = 1_000;

/**
 * The arrival part for these rules and options, or `undefined` when there is nothing to apply
 * (no rate limit, or a margin of 0 without pacing: the quota is exact on Redis's clock alone).
 * - the cap is a quarter of the shortest span (window, or a token bucket's refill time), or the
 *   interval between units when that is longer (a token bucket of burst 1 to 3);
 * - a learning quota starts at 25 ms, or the cap when smaller;
 * - pacing defaults to 1 ms, or a quarter of the shortest interval between units when smaller,
 *   so a quota of 100 per minute can still start its 100 requests within 0.1 s.
 */
export function arrivalPart(
  base: string,
  rules: readonly Rule[],
  margin: "learn" | Duration | undefined,
  pacing: Duration | false | undefined,
): ArrivalPart | undefined {
  const rates = rules.filter((rule) => Number.isFinite(rule.spanUs));
  const learn = margin === undefined || margin === "learn";
  const marginUs = learn ? 0 : durationToMicros("arrivalMargin", margin, 0);
  const paceUs = pacing === false ? 0 : pacing === undefined ? undefined : durationToMicros("pacing", pacing, 0);
  if (rates.length === 0) return undefined;
  // A quarter of a window; for a token bucket of small burst, at least its interval, which a
  // bucket of burst 1 needs whole to space slots by more than the arrival spread.
  const capUs = Math.min(...rates.map((rule) => Math.floor(Math.max(rule.spanUs / 4, rule.spanUs / rule.capacity))));
  if (!learn && marginUs > capUs) {
    invalid(
      "arrivalMargin",
      `at most ${capUs / 1000} ms (a quarter of the shortest window, or a token bucket's interval)`,
      margin,
    );
  }
  const unitUs = Math.min(...rates.map((rule) => rule.spanUs / rule.capacity));
  const pace = paceUs ?? Math.min(PACE_US, Math.floor(unitUs / 4));
  if (!learn && marginUs === 0 && pace === 0) return undefined;
  return {
    key: `${base}arrival`,
    wire: [ARRIVAL_WIRE, learn ? Math.min(capUs, START_MARGIN_US) : marginUs, pace, learn ? capUs : 0],
  };
}
