import { type ModelAlgorithm, shareOf } from "./algorithm.js";

interface WindowState {
  last: number;
  /** Window index -> units, for the current window and windows reserved ahead. */
  used: Map<number, number>;
}

const windowOf = (t: number, window: number, align: number): number => Math.floor((t - align) / window);

/** Fixed window, as lua/algorithms/fixed-window.lua: spec = [limit, window, align]. */
export const fixedWindowModel: ModelAlgorithm<WindowState> = {
  size: ([limit]) => limit,
  load(stored, [, window, align], now) {
    const current = windowOf(now, window, align);
    return { last: stored?.last ?? 0, used: new Map([...(stored?.used ?? [])].filter(([k]) => k >= current)) };
  },
  earliest(state, [limit, window, align, margin = 0], n, t, headroom) {
    const base = Math.max(t, state.last);
    const fits = (k: number): boolean => (state.used.get(k) ?? 0) + n + headroom <= limit;
    let k = windowOf(base, window, align);
    // A slot in the last `margin` of window k counts against window k + 1 as well.
    for (let step = 0; step <= state.used.size + 1; step++) {
      const c = Math.max(base, k * window + align);
      if (fits(k) && (c + margin < (k + 1) * window + align || fits(k + 1))) return c;
      k++;
    }
    return Math.max(base, k * window + align);
  },
  commit(state, [, window, align, margin = 0], n, t) {
    for (let k = windowOf(t, window, align); k <= windowOf(t + margin, window, align); k++) {
      state.used.set(k, (state.used.get(k) ?? 0) + n);
    }
    state.last = Math.max(state.last, t);
    return (Math.max(...state.used.keys()) + 1) * window + align;
  },
  report(state, [limit, window, align], now) {
    const current = windowOf(now, window, align);
    return [Math.max(0, limit - (state.used.get(current) ?? 0)), (current + 1) * window + align];
  },
  refund(state, [, window, align], n, t) {
    const k = windowOf(t, window, align);
    const units = (state.used.get(k) ?? 0) - n;
    const used = new Map(state.used);
    if (units <= 0) used.delete(k);
    else used.set(k, units);
    return { last: state.last, used };
  },
  widen: ([limit, window, align], margin, share, need) => [shareOf(limit, share, need), window, align, margin],
};
