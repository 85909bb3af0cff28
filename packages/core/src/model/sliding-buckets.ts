import { type ModelAlgorithm, shareOf } from "./algorithm.js";

interface BucketState {
  last: number;
  /** Bucket index -> units, for buckets still touching the window. */
  buckets: Map<number, number>;
}

const live = (state: BucketState): number => [...state.buckets.values()].reduce((a, b) => a + b, 0);
const top = (state: BucketState): number => Math.max(...state.buckets.keys());

/** Bucketed sliding window, as lua/algorithms/sliding-buckets.lua: spec = [limit, window, bucket]. */
export const slidingBucketsModel: ModelAlgorithm<BucketState> = {
  size: ([limit]) => limit,
  load(stored, [, window, bucket], now) {
    const buckets = new Map([...(stored?.buckets ?? [])].filter(([k]) => (k + 1) * bucket > now - window));
    return { last: stored?.last ?? 0, buckets };
  },
  earliest(state, [limit, window, bucket], n, t, headroom) {
    const base = Math.max(t, state.last);
    let excess = live(state) + n + headroom - limit;
    if (excess <= 0) return base;
    for (const [k, units] of [...state.buckets].sort(([a], [b]) => a - b)) {
      excess -= units;
      if (excess <= 0) return Math.max(base, (k + 1) * bucket + window);
    }
    throw new Error("unreachable: cost exceeds the limit");
  },
  commit(state, [, window, bucket, life = 0], n, t) {
    const k = Math.floor(t / bucket);
    state.buckets.set(k, (state.buckets.get(k) ?? 0) + n);
    state.last = Math.max(state.last, t);
    return (top(state) + 1) * bucket + window + life;
  },
  report(state, [limit, window, bucket], now) {
    if (state.buckets.size === 0) return [limit, now];
    return [Math.max(0, limit - live(state)), (top(state) + 1) * bucket + window];
  },
  refund(state, [, , bucket], n, t) {
    const k = Math.floor(t / bucket);
    const units = (state.buckets.get(k) ?? 0) - n;
    const buckets = new Map(state.buckets);
    if (units <= 0) buckets.delete(k);
    else buckets.set(k, units);
    return { last: state.last, buckets };
  },
  // life: the margin may grow to the cap while a bucket written now still counts
  widen: ([limit, window, bucket], margin, share, need, _waits, cap) => [
    shareOf(limit, share, need),
    window + Math.ceil(margin / bucket) * bucket,
    bucket,
    Math.max(0, Math.ceil(cap / bucket) * bucket - Math.ceil(margin / bucket) * bucket),
  ],
};
