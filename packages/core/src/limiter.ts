import { AcquireBatcher } from "./acquire-batcher.js";
import { checkPrefix } from "./keys.js";
import { MemoryStore } from "./model/memory-store.js";
import { Quota, type QuotaOptions } from "./quota.js";
import type { Store } from "./store.js";

/** Hands out quotas; quotas with the same name (and prefix) share their state. */
export interface Limiter {
  /** What every key of this limiter's quotas starts with. */
  readonly prefix: string;
  /**
   * The quota `name` with these limits, checked and spent together by every acquire.
   * @example limiter.quota("hikerapi", { limits: [slidingWindow({ limit: 11, window: "1s" }), slidingWindow({ limit: 1_000_000, window: "1d" })] })
   */
  quota(name: string, options: QuotaOptions): Quota;
  /** Ends what the limiter opened itself (never a client you passed in). Safe to call twice. */
  close(): Promise<void>;
}

/** How a `StoreLimiter` is set up. */
export interface StoreLimiterOptions {
  /** Key prefix, checked by `checkPrefix`. @default "sluice" */
  readonly prefix?: string;
  /** Decide concurrent acquires on one quota together. @default true */
  readonly coalesce?: boolean;
  /** Ends what the adapter opened; `close()` calls it once. */
  readonly close?: () => void | Promise<void>;
}

/** The limiter over any `Store`: what adapters return from their `createLimiter`. */
export class StoreLimiter implements Limiter {
  readonly prefix: string;
  /** The store every quota of this limiter decides on. */
  readonly store: Store;
  readonly #batcher: AcquireBatcher;
  #close: (() => void | Promise<void>) | undefined;

  constructor(store: Store, options: StoreLimiterOptions = {}) {
    this.store = store;
    this.prefix = checkPrefix(options.prefix ?? "sluice");
    this.#batcher = new AcquireBatcher(store, options.coalesce ?? true);
    this.#close = options.close;
  }

  quota(name: string, options: QuotaOptions): Quota {
    return new Quota(this.store, this.#batcher, this.prefix, name, options);
  }

  async close(): Promise<void> {
    const close = this.#close;
    this.#close = undefined;
    await close?.();
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
  return new StoreLimiter(new MemoryStore(), options);
}
