import type { ModelAlgorithm } from "./algorithm.js";

interface Entry {
  readonly t: number;
  readonly member: string;
}

const member = (id: string, i: number): string => (i === 1 ? id : `${id}:${i}`);

/** Exact sliding log, as lua/algorithms/sliding-log.lua: spec = [limit, window, _]. */
export const slidingLogModel: ModelAlgorithm<{ entries: Entry[] }> = {
  size: ([limit]) => limit,
  // Entries are appended in time order (a slot is never before the last), so the array stays sorted.
  load: (stored, [, window], now) => ({ entries: (stored?.entries ?? []).filter((e) => e.t > now - window) }),
  earliest(state, [limit, window], n, t, hold) {
    const last = state.entries.at(-1)?.t ?? 0;
    const base = Math.max(t, last);
    const excess = state.entries.length + n + hold - limit;
    if (excess <= 0) return base;
    return Math.max(base, (state.entries[excess - 1] as Entry).t + window);
  },
  commit(state, [, window], n, t, id) {
    for (let i = 1; i <= n; i++) state.entries.push({ t, member: member(id, i) });
    return (state.entries.at(-1) as Entry).t + window;
  },
  report(state, [limit, window], now) {
    const last = state.entries.at(-1);
    if (last === undefined) return [limit, now];
    return [Math.max(0, limit - state.entries.length), last.t + window];
  },
  refund(state, _spec, n, _t, id) {
    const members = new Set(Array.from({ length: n }, (_, i) => member(id, i + 1)));
    return { entries: state.entries.filter((e) => !members.has(e.member)) };
  },
};
