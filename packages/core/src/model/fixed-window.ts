import type { ModelAlgorithm } from "./algorithm.js";

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
  earliest(state, [limit, window, align], n, t, hold) {
    const base = Math.max(t, state.last);
    let k = windowOf(base, window, align);
    for (let step = 0; step <= state.used.size; step++) {
      if ((state.used.get(k) ?? 0) + n + hold <= limit) break;
      k++;
    }
    return Math.max(base, k * window + align);
  },
  commit(state, [, window, align], n, t) {
    const k = windowOf(t, window, align);
    state.used.set(k, (state.used.get(k) ?? 0) + n);
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
};
