/**
 * One algorithm of the reference model: the same steps as its Lua twin under lua/algorithms/,
 * on plain objects. Times in microseconds; `spec` is the rule's wire triple.
 */
export interface ModelAlgorithm<S> {
  /** Units the rule holds: a token bucket's burst, every other rule's limit. */
  size(spec: Spec): number;
  /** State of a key from its stored value (`undefined` when absent or expired). */
  load(stored: S | undefined, spec: Spec, now: number): S;
  /**
   * Earliest time >= t at which cost n fits while leaving `headroom` units free (headroom for higher
   * priorities); `{ next }` when it cannot be reserved ahead. Without `gaps`, an exact log does
   * not search for a gap before its reservations (see memory-store's decide).
   */
  earliest(
    state: S,
    spec: Spec,
    n: number,
    t: number,
    headroom: number,
    gaps: boolean,
  ): number | { readonly next: number };
  /**
   * Records the admission at t; returns the time the key may expire. `named`: the id is a
   * caller's (`acquire({ id })`), which a later decision may reuse.
   */
  commit(state: S, spec: Spec, n: number, t: number, id: string, now: number, named?: boolean): number;
  report(state: S, spec: Spec, now: number): [remaining: number, reset: number];
  /**
   * Whether the grant to `id` still holds (a lease not released, not expired): a remembered
   * reply is answered again only while every grant of it holds. Absent: always.
   */
  holds?(state: S, id: string, now: number): boolean;
  /** Returns the new state, or `undefined` when nothing changes. */
  refund(state: S, spec: Spec, n: number, t: number, id: string, expected: number, named?: boolean): S | undefined;
  /**
   * The spec widened by a quota's arrival margin (µs) and share (per mille), never below `need`
   * units, for requests that may wait for their slot or not, with the largest margin the quota
   * may learn (`cap`, µs; 0 for a fixed margin), which what is written now must outlive
   * (lua/algorithms/arrival.lua); absent for a concurrency limit.
   */
  widen?(spec: Spec, margin: number, share: number, need: number, waits: boolean, cap: number): Spec;
}

/**
 * A rule's wire triple, and a fourth figure where the algorithm's widened spec keeps one: a
 * token bucket's or fixed window's margin, a sliding window's life (how much longer than the
 * window its key lives).
 */
export type Spec = readonly [a: number, b: number, c: number, extra?: number];

/** A limit scaled to a share (per mille), never below what one request needs. */
export const shareOf = (limit: number, share: number, need: number): number =>
  share >= 1000 ? limit : Math.max(need, Math.floor((limit * share) / 1000));
