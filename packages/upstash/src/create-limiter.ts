import type { Duration, Limiter } from "@sluice/core";
import {
  checkRedisLimiterOptions,
  DAY_MS,
  durationToMicros,
  type FailMode,
  FailModeStore,
  invalid,
  optionOr,
  type RedisLimiterDefaults,
  RedisStore,
  type Store,
  type StoreFailureEvent,
  StoreLimiter,
} from "@sluice/core/adapter";
import { DenialCacheStore } from "./denial-cache-store.js";
import { type UpstashRedis, UpstashScriptClient } from "./upstash-script-client.js";

export interface LimiterOptions {
  /**
   * An `@upstash/redis` `Redis` (`Redis.fromEnv()`, or `@upstash/redis/cloudflare` in a Worker),
   * with its defaults: auto-pipelining, base64 replies and its own retries of a failed fetch all
   * work. Sluice never changes or closes it.
   */
  readonly redis: UpstashRedis;
  /** Key prefix; every key is `<prefix>:{<quota>}:<rule>`. No braces. @default "sluice" */
  readonly prefix?: string;
  /**
   * When Upstash fails or is slower than `timeout`: `"closed"` rejects with
   * `StoreUnavailableError`, `"open"` admits (and emits an event), `"local"` decides on an
   * in-memory limiter holding `localShare` of each limit (of this instance only).
   * @default "closed"
   */
  readonly failMode?: FailMode;
  /**
   * How long each call may take before `failMode` applies: ms or a string like `"2s"`, 1 ms to
   * 60 s. Longer than `@sluice/node`'s 1 s: a fresh instance's first request opens a TLS
   * connection, and the client retries a failed fetch after 50 ms on its own.
   * @default 2000
   */
  readonly timeout?: Duration;
  /** Share of each limit the local fallback may spend, in (0, 1]. @default 0.1 */
  readonly localShare?: number;
  /**
   * Decide concurrent acquires of this instance in one script call (in order, exactly as
   * separate calls). Off by default: a Worker runtime cancels a call that one request sends on
   * behalf of another (`test/serverless-fleet.test.ts`), and the client's auto-pipelining
   * already sends the decisions of one tick in one HTTP request.
   * @default false
   */
  readonly coalesce?: boolean;
  /**
   * Keep each admitting call's reply in Redis for 10 s (or twice `timeout`, if longer), so that
   * a request the client sends again after losing the reply (its own retries, up to 5 by default)
   * is answered from the first run instead of charged twice. Costs one short-lived key per call.
   * @default true
   */
  readonly rememberReplies?: boolean;
  /**
   * After the store denies a request with a wait, answer the same request (quota, cost,
   * priority) from memory until then, so that a blocked quota costs no request. Only denials are
   * answered this way; a slot given back or a reset elsewhere is seen once the denial is this old
   * at most. `false` asks the store every time. Ms or a string, 1 ms to 1 day.
   * @default "10s"
   */
  readonly cacheDenials?: Duration | false;
  /**
   * How long a named request's first decision (`acquire({ id })`, `tryAcquire({ id })`) answers
   * a retry under its id: cover the caller's retries (a function's retry policy, a queue's
   * redelivery). Ms or a string, 1 ms to 30 days; costs one key per named grant for that long.
   * @default "1h"
   */
  readonly rememberNamed?: Duration;
  /** Called on every store failure; nothing is logged by default. */
  readonly onEvent?: (event: StoreFailureEvent) => void;
}

const defaults: RedisLimiterDefaults = { timeout: 2000, coalesce: false, rememberReplies: true };
const defaultCacheDenials = "10s";
/** Least time a reply is remembered: @upstash/redis's default retries span about 4.5 s. */
const leastRememberMs = 10_000;

/** Script clients by Redis: limiters made per request on one Redis send each script's source once. */
const scriptClients = new WeakMap<UpstashRedis, UpstashScriptClient>();

function scriptClientOf(redis: UpstashRedis): UpstashScriptClient {
  let client = scriptClients.get(redis);
  if (client === undefined) {
    client = new UpstashScriptClient(redis);
    scriptClients.set(redis, client);
  }
  return client;
}

/**
 * Creates a limiter over `@upstash/redis` (HTTP), for edge runtimes and serverless functions:
 * the same quotas, keys and scripts as `@sluice/node`, so both share one quota exactly. A
 * decision is one HTTP request (none for a denial still in force, see `cacheDenials`); a
 * waiter on a full concurrency limit asks again at the earliest lease expiry or after a backoff
 * of 50 ms doubling to 1 s, as there is no pub/sub over HTTP.
 * @example
 * const limiter = createLimiter({ redis: Redis.fromEnv() });
 * const api = limiter.quota("hikerapi", { limits: [tokenBucket({ rate: 11 })] });
 * const attempt = await api.tryAcquire();
 * if (!attempt.allowed) return new Response(null, { status: 429, headers: { "Retry-After": String(Math.ceil(attempt.retryAfterMs / 1000)) } });
 */
export function createLimiter(options: LimiterOptions): Limiter {
  if (typeof options !== "object" || options === null) invalid("options", "an options object", options);
  const { redis } = options;
  if (typeof redis?.evalsha !== "function" || typeof redis.eval !== "function") {
    invalid("redis", "an @upstash/redis Redis instance", redis);
  }
  const { prefix, failMode, timeoutMs, localShare, coalesce, rememberReplies, rememberNamedMs, onEvent } =
    checkRedisLimiterOptions(options, defaults);
  const cacheDenials = optionOr(options.cacheDenials, defaultCacheDenials);
  if (cacheDenials !== false && typeof cacheDenials !== "number" && typeof cacheDenials !== "string")
    invalid("cacheDenials", 'false or a duration such as "10s"', cacheDenials);
  const cacheMs = cacheDenials === false ? 0 : durationToMicros("cacheDenials", cacheDenials, 1, DAY_MS) / 1000;
  const redisStore = new RedisStore(scriptClientOf(redis), {
    rememberReplies,
    rememberMs: Math.max(leastRememberMs, 2 * timeoutMs),
    rememberNamedMs,
    timeoutMs,
  });
  const guarded = new FailModeStore(redisStore, { failMode, timeoutMs, localShare, onEvent });
  const store: Store = cacheMs > 0 ? new DenialCacheStore(guarded, cacheMs) : guarded;
  return new StoreLimiter(store, { prefix, coalesce });
}
