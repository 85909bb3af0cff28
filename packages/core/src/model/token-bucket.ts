import type { ModelAlgorithm } from "./algorithm.js";

/**
 * GCRA, as lua/algorithms/token-bucket.lua: spec = [interval, burst, keep, margin]; widened, the
 * TAT matters until TAT + keep (the largest margin the quota may reach; waiting requests get the
 * margin).
 */
export const tokenBucketModel: ModelAlgorithm<{ tat: number }> = {
  size: ([, burst]) => burst,
  load: (stored) => ({ tat: stored?.tat ?? 0 }),
  earliest: (state, [interval, burst, , margin = 0], n, t, headroom) =>
    Math.max(t, state.tat - (burst - n - headroom) * interval + margin),
  commit(state, [interval, , keep], n, t) {
    state.tat = Math.max(state.tat, t) + n * interval;
    return state.tat + keep;
  },
  report(state, [interval, burst], now) {
    const tat = Math.max(state.tat, now);
    return [Math.max(0, Math.floor((now + burst * interval - tat) / interval)), tat];
  },
  refund: (state, [interval], n, _t, _id, expected) =>
    state.tat === expected ? { tat: expected - n * interval } : undefined,
  // As the script: a request that cannot wait is decided without the margin.
  widen: ([interval, burst], margin, share, _need, waits, cap) => [
    share < 1000 ? Math.ceil((interval * 1000) / share) : interval,
    burst,
    Math.max(margin, cap),
    waits ? margin : 0,
  ],
};
