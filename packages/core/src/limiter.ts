import { AcquireBatcher } from "./acquire-batcher.js";
import { checkPrefix } from "./keys.js";
import { MemoryStore } from "./model/memory-store.js";
import { Quota, type QuotaOptions } from "./quota.js";
import type { Store } from "./store.js";

/** Hands out quotas over one store; quotas with the same name share state across processes. */
export class Limiter {
  readonly prefix: string;
  readonly store: Store;
  readonly #batcher: AcquireBatcher;

  /** @param coalesce decide this process's concurrent acquires together, in few store calls (default true). */
  constructor(store: Store, prefix: string, coalesce = true) {
    this.store = store;
    this.prefix = checkPrefix(prefix);
    this.#batcher = new AcquireBatcher(store, coalesce);
  }

  /**
   * The quota `name` with these limits, checked and spent together by every acquire.
   * @example limiter.quota("hikerapi", { limits: [tokenBucket({ rate: 11 }), slidingWindow({ limit: 1_000_000, window: "1d" })] })
   */
  quota(name: string, options: QuotaOptions): Quota {
    return new Quota(this.store, this.#batcher, this.prefix, name, options);
  }
}

export interface MemoryLimiterOptions {
  /** Key prefix. @default "sluice" */
  readonly prefix?: string;
  /** Decide concurrent acquires on one quota together. @default true */
  readonly coalesce?: boolean;
}

/** A limiter whose state lives in this process only (single-process use, tests, fallbacks). */
export function createMemoryLimiter(options: MemoryLimiterOptions = {}): Limiter {
  return new Limiter(new MemoryStore(), options.prefix ?? "sluice", options.coalesce ?? true);
}
