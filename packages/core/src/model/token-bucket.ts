import type { ModelAlgorithm } from "./algorithm.js";

/** GCRA, as lua/algorithms/token-bucket.lua: spec = [interval, burst, _]. */
export const tokenBucketModel: ModelAlgorithm<{ tat: number }> = {
  size: ([, burst]) => burst,
  load: (stored) => ({ tat: stored?.tat ?? 0 }),
  earliest: (state, [interval, burst, , margin = 0], n, t, hold) =>
    Math.max(t, state.tat - (burst - n - hold) * interval + margin),
  commit(state, [interval], n, t) {
    state.tat = Math.max(state.tat, t) + n * interval;
    return state.tat;
  },
  report(state, [interval, burst], now) {
    const tat = Math.max(state.tat, now);
    return [Math.max(0, Math.floor((now + burst * interval - tat) / interval)), tat];
  },
  refund: (state, [interval], n, _t, _id, expected) =>
    state.tat === expected ? { tat: expected - n * interval } : undefined,
  // As the script: a request that cannot wait is decided without the margin.
  widen: ([interval, burst, c], margin, share, _need, waits) => [
    share < 1000 ? Math.ceil((interval * 1000) / share) : interval,
    burst,
    c,
    waits ? margin : 0,
  ],
};
