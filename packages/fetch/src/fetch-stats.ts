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
  /** Calls answered from the response cache without a request (spending no quota). Only with `cache`. */
  readonly cacheHits?: number;
  /** Calls answered from the cache after a 304 (a request was sent). Only with `cache`. */
  readonly cacheRevalidated?: number;
}

type Counter = { -readonly [K in keyof FetchStats]-?: number };
type CacheField = "cacheHits" | "cacheRevalidated";
type BaseCounter = Omit<Counter, CacheField> & Partial<Pick<Counter, CacheField>>;

/** Per-group counters; `snapshot` copies them so callers never hold live state. */
export class StatsTable {
  readonly #groups = new Map<string, BaseCounter>();
  readonly #cache: boolean;

  /** `cache`: also count `cacheHits` and `cacheRevalidated` (from 0). */
  constructor(cache = false) {
    this.#cache = cache;
  }

  add(groups: readonly string[], field: keyof FetchStats, amount = 1): void {
    for (const group of groups) {
      let counter = this.#groups.get(group);
      if (counter === undefined) {
        counter = { sent: 0, retried: 0, rateLimited: 0, waitedMs: 0 };
        if (this.#cache) Object.assign(counter, { cacheHits: 0, cacheRevalidated: 0 });
        this.#groups.set(group, counter);
      }
      counter[field] = (counter[field] ?? 0) + amount;
    }
  }

  snapshot(): Record<string, FetchStats> {
    const out: Record<string, FetchStats> = {};
    for (const [group, counter] of this.#groups) out[group] = Object.freeze({ ...counter });
    return out;
  }
}
