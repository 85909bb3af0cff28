import { type ModelAlgorithm, shareOf } from "./algorithm.js";

interface Entry {
  readonly t: number;
  readonly member: string;
}

const member = (id: string, i: number): string => (i === 1 ? id : `${id}:${i}`);

/** The id a request's entries are named after: a named request's carries its slot (two decisions under one id never share an entry). */
const entryId = (id: string, t: number, named = false): string => (named ? `${id}@${t}` : id);

/**
 * Among the sorted times `near` (every entry within a window of c), the groups of `room + 1`
 * entries that lie with c inside one window crowd c out; the time at which the last of them
 * stops doing so (its first entry's time + window), or undefined when none crowds c.
 */
function crowdedUntil(near: readonly number[], room: number, c: number, window: number): number | undefined {
  let past: number | undefined;
  for (let i = 0; i + room < near.length; i++) {
    const first = near[i] as number;
    if (Math.max(near[i + room] as number, c) - Math.min(first, c) < window) past = Math.max(past ?? c, first + window);
  }
  return past;
}

/** How far the search for a gap before the last slot reads the log, in entries (GAP_SCAN). */
const GAP_SCAN = 64;

/**
 * The earliest c >= t, before `last`, at which an entry leaves every window that contains c with
 * at most `room` others, found among the GAP_SCAN entries after t - window (a candidate is
 * judged only when every entry within a window of it was read); undefined when there is none.
 */
function gapFrom(entries: readonly Entry[], window: number, room: number, t: number, last: number): number | undefined {
  const times = entries
    .filter((e) => e.t > t - window)
    .slice(0, GAP_SCAN)
    .map((e) => e.t);
  const known = times.length === GAP_SCAN ? (times.at(-1) as number) : Number.POSITIVE_INFINITY;
  let c = t;
  while (c < last && c + window <= known) {
    const near = times.filter((x) => x > c - window && x < c + window);
    const past = crowdedUntil(near, room, c, window);
    if (past === undefined) return c;
    c = past;
  }
  return undefined;
}

/** Exact sliding log, as lua/algorithms/sliding-log.lua: spec = [limit, window, _]. */
export const slidingLogModel: ModelAlgorithm<{ entries: Entry[] }> = {
  size: ([limit]) => limit,
  // Entries are kept in time order: a slot before the last one is inserted in its place.
  load: (stored, [, window], now) => ({ entries: (stored?.entries ?? []).filter((e) => e.t > now - window) }),
  earliest(state, spec, n, t, headroom, gaps) {
    const [limit, window] = spec;
    const last = state.entries.at(-1)?.t ?? 0;
    // Before reservations ahead: where every window containing the time has room (a given-back
    // slot); a sparse log is searched from t on (while `gaps`), in a dense one only t is tried.
    const room = limit - n - headroom;
    if (t < last && room >= 0) {
      const near = state.entries.filter((e) => e.t > t - window && e.t < t + window).map((e) => e.t);
      if (gaps && near.length <= GAP_SCAN) {
        const gap = gapFrom(state.entries, window, room, t, last);
        if (gap !== undefined) return gap;
      } else if (crowdedUntil(near, room, t, window) === undefined) return t;
    }
    const base = Math.max(t, last);
    const excess = state.entries.length + n + headroom - limit;
    if (excess <= 0) return base;
    return Math.max(base, (state.entries[excess - 1] as Entry).t + window);
  },
  commit(state, [, window, , life = 0], n, t, id, _now, named) {
    const base = entryId(id, t, named);
    const after = state.entries.findIndex((e) => e.t > t);
    state.entries.splice(
      after < 0 ? state.entries.length : after,
      0,
      ...Array.from({ length: n }, (_, i) => ({ t, member: member(base, i + 1) })),
    );
    return (state.entries.at(-1) as Entry).t + window + life;
  },
  report(state, [limit, window], now) {
    const last = state.entries.at(-1);
    if (last === undefined) return [limit, now];
    return [Math.max(0, limit - state.entries.length), last.t + window];
  },
  refund(state, _spec, n, t, id, _expected, named) {
    const base = entryId(id, t, named);
    const members = new Set(Array.from({ length: n }, (_, i) => member(base, i + 1)));
    return { entries: state.entries.filter((e) => !members.has(e.member)) };
  },
  // life: the margin may grow to the cap while an entry written now still counts
  widen: ([limit, window, c], margin, share, need, _waits, cap) => [
    shareOf(limit, share, need),
    window + margin,
    c,
    Math.max(0, cap - margin),
  ],
};
