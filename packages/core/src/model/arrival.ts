import type { StoreLearned, StoreReport } from "../store.js";

/** A quota's arrival state, as the hash of lua/algorithms/arrival.lua (times in µs). */
export interface ArrivalState {
  /** Margin. */
  m: number;
  /** Share, per mille. */
  e: number;
  /** Latest slot. */
  l: number;
  /** Last change a 429 caused. */
  g: number;
  /** Last step back. */
  s: number;
  /** Largest lateness reported lately, and when it was set. */
  p: number;
  pt: number;
}

/** The arrival spec: [margin, pace, cap], as lua/algorithms/arrival.lua. */
export type ArrivalSpec = readonly [margin: number, pace: number, cap: number];

/** The lateness reported lately, halved per window since (whole halvings, as the script). */
function recentLateness(state: ArrivalState, [, , cap]: ArrivalSpec, now: number): number {
  if (cap === 0) return 0;
  const halvings = Math.floor((now - state.pt) / (4 * cap));
  return halvings >= 30 ? 0 : Math.floor(state.p / 2 ** halvings);
}

/**
 * How long an arrival state matters after its last change or latest slot (µs), as
 * lua/algorithms/arrival.lua: ten windows once it holds something learned, else one window.
 */
function lifetimeUs(state: ArrivalState, [margin, pace, cap]: ArrivalSpec): number {
  if (state.m !== margin || state.e < 1000 || state.p > 0) return Math.max(1, 40 * cap);
  return Math.max(1, 4 * cap, pace);
}

/** How long a state written now lives (µs). */
export const arrivalKeepUs = (state: ArrivalState, spec: ArrivalSpec, now: number): number =>
  lifetimeUs(state, spec) + Math.max(0, state.l - now);

/** The arrival part of the reference model: the same steps as lua/algorithms/arrival.lua and lua/feedback.lua. */
export const arrivalModel = {
  /** A new state counts as just changed: nothing steps back before three windows of clean full use. */
  load(stored: ArrivalState | undefined, spec: ArrivalSpec, now: number): ArrivalState {
    const [margin, , cap] = spec;
    const stale =
      stored !== undefined && now >= Math.max(stored.l, stored.g, stored.s, stored.pt) + lifetimeUs(stored, spec);
    const state =
      stored === undefined || stale ? { m: margin, e: 1000, l: 0, g: now, s: now, p: 0, pt: 0 } : { ...stored };
    // A fixed margin is the spec's, whatever an earlier configuration left.
    if (cap === 0) [state.m, state.e] = [margin, 1000];
    return state;
  },
  /** Pacing: a slot at or near the latest one keeps `pace` after it; one well before it is not moved. */
  earliest: (state: ArrivalState, [, pace]: ArrivalSpec, t: number): number =>
    pace > 0 && t > state.l - pace ? Math.max(t, state.l + pace) : t,
  commit(state: ArrivalState, t: number): void {
    state.l = Math.max(state.l, t);
  },
  /** The step back after a call that admitted something; `busy` when a request had to wait. */
  settle(state: ArrivalState, spec: ArrivalSpec, busy: boolean, now: number): void {
    const window = 4 * spec[2];
    if (!(spec[2] > 0 && busy && now - state.g >= 3 * window && now - state.s >= window)) return;
    state.e = Math.min(1000, state.e + 25);
    state.m = Math.max(Math.min(state.m, recentLateness(state, spec, now)), Math.floor(state.m * 0.8));
    state.s = now;
  },
  /** As lua/feedback.lua; changes `state` in place. */
  learn(state: ArrivalState, spec: ArrivalSpec, report: StoreReport, now: number): StoreLearned {
    const cap = spec[2];
    const figures = (change: 0 | 1 | 2): StoreLearned => ({ change, marginUs: state.m, share: state.e });
    if (cap === 0) return figures(0);
    if (report.kind === "late") {
      if (report.latenessUs > recentLateness(state, spec, now)) [state.p, state.pt] = [report.latenessUs, now];
      return figures(0);
    }
    if (report.decidedUs < state.g) return figures(0);
    const spread = Math.max(report.latenessUs, recentLateness(state, spec, now));
    let change: 1 | 2;
    if (report.kind === "limited" && spread > state.m && state.m < cap) {
      state.m = Math.min(cap, Math.max(Math.ceil(spread * 1.25), 2 * state.m));
      change = 1;
    } else {
      state.e = Math.max(100, Math.floor(state.e * 0.8));
      change = 2;
    }
    state.g = now;
    return figures(change);
  },
};
