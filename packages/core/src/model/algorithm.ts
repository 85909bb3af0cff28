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
   * Earliest time >= t at which cost n fits while leaving `hold` units free (headroom for higher
   * priorities); `{ next }` when it cannot be reserved ahead. Without `gaps`, an exact log does
   * not search for a gap before its reservations (see memory-store's decide).
   */
  earliest(state: S, spec: Spec, n: number, t: number, hold: number, gaps: boolean): number | { readonly next: number };
  /** Records the admission at t; returns the time the key may expire. */
  commit(state: S, spec: Spec, n: number, t: number, id: string, now: number): number;
  report(state: S, spec: Spec, now: number): [remaining: number, reset: number];
  /** Returns the new state, or `undefined` when nothing changes. */
  refund(state: S, spec: Spec, n: number, t: number, id: string, expected: number): S | undefined;
}

export type Spec = readonly [a: number, b: number, c: number];
