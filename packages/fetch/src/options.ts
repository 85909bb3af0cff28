import type { Duration, Limiter, Rule } from "@sluice/core";
import type { BackoffOptions } from "@sluice/core/adapter";
import type { CacheStore } from "./cache/response-cache.js";
import type { FetchEvent } from "./fetch-event.js";

/**
 * Which requests a route covers. A string is a URL prefix (normalised by `new URL`, so
 * `"https://api.example.com"` covers `https://api.example.com/...` but not
 * `https://api.example.com.evil.test/`). An object matches on every field it has.
 */
export type RouteMatch =
  | string
  | {
      /** Host name, or `host:port` when it has a colon; `*` globs allowed. Case-insensitive. @example "*.example.com" */
      readonly host?: string;
      /** Path glob, query excluded: `*` matches within one segment, `**` across segments. @example "/v2/items/*" */
      readonly path?: string;
      /** One method or several. Case-insensitive. @example ["GET", "HEAD"] */
      readonly method?: string | readonly string[];
    };

/** One key of a credential pool. */
export interface CredentialKey {
  /** Public name of the key: the only part that appears in events, stats and errors. */
  readonly id: string;
  /** The secret sent in `header`. Never logged, never put in an error or event. */
  readonly secret: string;
  /** The limits this key has on its own (its quota is `<quota>:key:<id>`). At least one. */
  readonly limits: readonly Rule[];
}

/** Several keys (apps, accounts) whose limits add up; each request uses the key with the soonest slot. */
export interface CredentialPoolOptions {
  /** Request header the secret goes in. @example "x-access-key" */
  readonly header: string;
  /**
   * Turns a secret into the header value.
   * @default (secret) => secret
   * @example (secret) => `Bearer ${secret}`
   */
  readonly format?: (secret: string) => string;
  /** At least one. Ids unique within the pool. */
  readonly keys: readonly CredentialKey[];
  /** How long a key answered with 401/403 is left unused by this process. @default "60s" */
  readonly quarantine?: Duration;
}

export interface RouteOptions {
  readonly match: RouteMatch;
  /**
   * Quota name of the route's group (the Redis hash tag). A request spends the limits of every
   * route it matches; matched routes with the SAME name are spent in one atomic acquire, groups
   * with different names one after the other. Two routes of one group may not share an
   * identical rule (they would share its state): give them distinct parameters or names.
   */
  readonly quota: string;
  /** Limits of the route. At least one, unless the route has `credentials`. */
  readonly limits?: readonly Rule[];
  /** A key pool whose per-key limits are spent in addition to `limits`. */
  readonly credentials?: CredentialPoolOptions;
}

/** When and how a call is sent again; `limit`, `baseDelay` and `maxDelay` read as in `@sluice/bulk`. */
export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt. 0 disables retrying. Integer from 0 to 100. @default 3 */
  readonly limit?: number;
  /**
   * Backoff base: retry n (from 0) waits a random time in [0, min(maxDelay, baseDelay × 2ⁿ))
   * when the server names no wait. Ms or a string, >= 1 ms.
   * @default 300
   */
  readonly baseDelay?: Duration;
  /**
   * Longest wait before one retry. A server asking for longer (Retry-After and the like) makes
   * the call fail at once with `RetryAfterTooLongError`.
   * @default "30s"
   */
  readonly maxDelay?: Duration;
  /** No retry is scheduled that would start later than this after the call began. @default "120s" */
  readonly maxElapsed?: Duration;
  /** Also retry 502, 504 and network errors for POST, PATCH and other non-idempotent methods. @default false */
  readonly nonIdempotent?: boolean;
}

/** A response cache shared by every process through Redis (see "Shared response cache"). */
export interface ResponseCacheOptions {
  /** Where entries live: an ioredis `Redis` or `Cluster` (only `get` and `set ... PX` are used). */
  readonly redis: CacheStore;
  /** Key prefix; keys are `<prefix>:<sha256>`. @default "sluice:cache" */
  readonly prefix?: string;
  /**
   * Freshness lifetime that replaces the server's (`Cache-Control` max-age, `Expires`, `no-cache`):
   * every storable answer is fresh this long, with or without cache headers. `no-store`, and
   * `private` in a shared cache, are still obeyed. Whole seconds (rounded up).
   * @example "30m"
   */
  readonly ttl?: Duration;
  /** Larger bodies are not cached (reading stops past it). Bytes, >= 0. @default 1_048_576 */
  readonly maxBodyBytes?: number;
  /**
   * RFC 9111 shared-cache rules: `s-maxage` wins, `private` answers and answers to requests with
   * `Authorization` are not stored (unless `public`/`s-maxage`). `false` stores them; entries are
   * keyed by a hash of `Authorization`/`Cookie`, so each credential gets its own.
   * @default true
   */
  readonly shared?: boolean;
  /** How long an entry with an `ETag` or `Last-Modified` is kept after it goes stale, for a 304. @default "1h" */
  readonly staleWindow?: Duration;
  /** Longest wait for one Redis read or write; past it the request goes on without the cache. @default "250ms" */
  readonly timeout?: Duration;
}

export interface FetchOptions {
  /** Where quotas live: `createLimiter({ redis })` from `@sluice/node`, or `createMemoryLimiter()`. */
  readonly limiter: Limiter;
  /** At least one. */
  readonly routes: readonly RouteOptions[];
  /** What to do with a request no route matches: send it unlimited, or throw `UnmatchedRequestError`. @default "pass" */
  readonly unmatched?: "pass" | "reject";
  /** Retry settings, or `false` for a single attempt. */
  readonly retry?: RetryOptions | false;
  /**
   * Ms the whole call may take until the response headers arrive: slot waits, retries and the
   * server. Then it rejects with `RequestTimeoutError`. The body is not covered. 1 ms to
   * 2147483647 ms (2³¹ − 1, about 24.8 days: the longest delay a Node timer holds), or `Infinity`.
   * @default Infinity
   */
  readonly timeout?: Duration;
  /**
   * What to do when any answer (a 200 as well) says the server's quota is spent:
   * `X-RateLimit-Remaining: 0` with a reset (`X-RateLimit-Reset-After` or `X-RateLimit-Reset`),
   * or an IETF `RateLimit` policy with `r=0;t=...`. `"pause"`: where a limit of the route's
   * quota (the key's, for a credential pool) has the server's `X-RateLimit-Limit`, it is spent
   * down to the server's count, which is no change when Sluice's own spending explains the
   * figure; where none can be compared, the quota pauses until that reset, for every process (a
   * pause never shortens a longer one). `"ignore"` reads these headers on 429/503 answers only.
   * @default "pause"
   */
  readonly onExhausted?: "pause" | "ignore";
  /**
   * For servers that count requests on arrival: a slot reached later than this (a busy event
   * loop, a slow reply) is given back and asked for again, so no request leaves more than
   * `maxLateness` after its slot. Pair it with windows longer than the server's by this plus
   * the network's jitter (see "Safety margin"). Applies to every route's and key's quota.
   * @default Infinity
   */
  readonly maxLateness?: Duration;
  /**
   * The quotas' arrival margin (see `QuotaOptions.arrivalMargin`): `"learn"` adapts to how late
   * requests arrive and to spend outside Sluice, from the answers; a duration fixes the margin
   * and learns nothing (every 429 then pauses its quota for the server's wait). Applies to every
   * route's and key's quota.
   * @default "learn"
   */
  readonly arrivalMargin?: "learn" | Duration;
  /** Least time between two slots of a quota (see `QuotaOptions.pacing`); `false` for none. @default 1 ms or less */
  readonly pacing?: Duration | false;
  /**
   * Receives `wait`, `retry`, `rate-limited`, `exhausted` and `quarantine` events, and with `cache`
   * also `cache-hit` and `cache-error`. Errors it throws are ignored.
   */
  readonly onEvent?: (event: FetchEvent) => void;
  /**
   * Cache GET answers in Redis, shared by every process: a fresh hit spends no quota.
   * @default undefined (off)
   */
  readonly cache?: ResponseCacheOptions;
  /** The fetch to send with. @default globalThis.fetch (looked up at each call) */
  readonly fetch?: typeof fetch;
}

export const defaults = {
  unmatched: "pass",
  onExhausted: "pause",
  retry: { limit: 3, baseDelay: 300, maxDelay: 30_000, maxElapsed: 120_000, nonIdempotent: false },
  quarantine: 60_000,
  cache: { prefix: "sluice:cache", maxBodyBytes: 1_048_576, shared: true, staleWindow: 3_600_000, timeout: 250 },
  format: (secret: string): string => secret,
} as const;
