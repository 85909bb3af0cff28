/** Counters of one route group since `createFetch`. */
export interface FetchStats {
  /** Attempts sent to the network (retries included). */
  readonly sent: number;
  /** Retries scheduled. */
  readonly retried: number;
  /** 429 answers received. */
  readonly rateLimited: number;
  /** Total ms spent waiting for slots. */
  readonly waitedMs: number;
}

type Counter = { -readonly [K in keyof FetchStats]: number };

/** Per-group counters; `snapshot` copies them so callers never hold live state. */
export class StatsTable {
  readonly #groups = new Map<string, Counter>();

  add(groups: readonly string[], field: keyof FetchStats, amount = 1): void {
    for (const group of groups) {
      let counter = this.#groups.get(group);
      if (counter === undefined) {
        counter = { sent: 0, retried: 0, rateLimited: 0, waitedMs: 0 };
        this.#groups.set(group, counter);
      }
      counter[field] += amount;
    }
  }

  snapshot(): Record<string, FetchStats> {
    const out: Record<string, FetchStats> = {};
    for (const [group, counter] of this.#groups) out[group] = Object.freeze({ ...counter });
    return out;
  }
}
