import type { Limiter, QuotaOptions } from "@sluice/core";
import { type Backoff, durationToMicros, integer, invalid, resolveBackoff, StoreLimiter } from "@sluice/core/adapter";
import type { ResolvedCacheOptions } from "./cache/response-cache.js";
import { timeoutMsOf } from "./call-signal.js";
import type { FetchEvent } from "./fetch-event.js";
import { defaults, type FetchOptions, type RetryOptions } from "./options.js";

/** The `retry` option checked, durations in ms. */
export interface ResolvedRetry extends Backoff {
  readonly maxElapsedMs: number;
  readonly nonIdempotent: boolean;
}

/** `FetchOptions` checked, with defaults filled in and durations in ms. */
export interface ResolvedOptions {
  readonly limiter: Limiter;
  readonly unmatched: "pass" | "reject";
  readonly onExhausted: "pause" | "ignore";
  readonly retry: ResolvedRetry;
  readonly timeoutMs: number | undefined;
  readonly onEvent: ((event: FetchEvent) => void) | undefined;
  readonly fetch: typeof fetch | undefined;
  readonly cache: ResolvedCacheOptions | undefined;
  /** Ms, `Infinity` when unset. */
  readonly maxLatenessMs: number;
  /** Passed to every quota, which checks them. */
  readonly arrival: Pick<QuotaOptions, "arrivalMargin" | "pacing">;
}

const ms = (option: string, value: unknown): number => durationToMicros(option, value as number) / 1000;

/** Checks every option except `routes` (see `RouteTable`); TypeErrors name the option and value. */
export function resolveOptions(input: FetchOptions): ResolvedOptions {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    invalid("options", "an options object", input);
  const {
    limiter,
    unmatched = defaults.unmatched,
    onExhausted = defaults.onExhausted,
    retry,
    timeout,
    onEvent,
    fetch,
    cache,
    maxLateness,
    arrivalMargin,
    pacing,
  } = input;
  if (!(limiter instanceof StoreLimiter) && typeof (limiter as Partial<Limiter> | undefined)?.quota !== "function")
    invalid("limiter", "a Limiter (createLimiter from @sluice/node, or createMemoryLimiter)", limiter);
  if (unmatched !== "pass" && unmatched !== "reject") invalid("unmatched", '"pass" or "reject"', unmatched);
  if (onExhausted !== "pause" && onExhausted !== "ignore") invalid("onExhausted", '"pause" or "ignore"', onExhausted);
  const backoff = resolveBackoff("retry", retry, defaults.retry);
  const r: RetryOptions = retry === false || retry === undefined ? {} : retry;
  const nonIdempotent = r.nonIdempotent ?? defaults.retry.nonIdempotent;
  if (typeof nonIdempotent !== "boolean") invalid("retry.nonIdempotent", "a boolean", nonIdempotent);
  if (onEvent !== undefined && typeof onEvent !== "function") invalid("onEvent", "a function", onEvent);
  if (fetch !== undefined && typeof fetch !== "function") invalid("fetch", "a fetch function", fetch);
  // Checked here as well as by each quota, which the routes make at their first request.
  if (arrivalMargin !== undefined && arrivalMargin !== "learn") durationToMicros("arrivalMargin", arrivalMargin, 0);
  if (pacing !== undefined && pacing !== false) durationToMicros("pacing", pacing, 0);
  return {
    limiter,
    unmatched,
    onExhausted,
    retry: {
      ...backoff,
      maxElapsedMs: ms("retry.maxElapsed", r.maxElapsed ?? defaults.retry.maxElapsed),
      nonIdempotent,
    },
    timeoutMs: timeoutMsOf(timeout),
    onEvent,
    fetch,
    cache: cache === undefined ? undefined : resolveCache(cache),
    maxLatenessMs:
      maxLateness === undefined || maxLateness === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : ms("maxLateness", maxLateness),
    arrival: { ...(arrivalMargin === undefined ? {} : { arrivalMargin }), ...(pacing === undefined ? {} : { pacing }) },
  };
}

function resolveCache(input: NonNullable<FetchOptions["cache"]>): ResolvedCacheOptions {
  if (typeof input !== "object" || input === null || Array.isArray(input)) invalid("cache", "an options object", input);
  const d = defaults.cache;
  const { redis, prefix = d.prefix, ttl, maxBodyBytes = d.maxBodyBytes, shared = d.shared } = input;
  if (typeof redis?.get !== "function" || typeof redis?.set !== "function")
    invalid("cache.redis", "a Redis client with get and set (ioredis Redis or Cluster)", redis);
  if (typeof prefix !== "string" || prefix === "") invalid("cache.prefix", "a non-empty string", prefix);
  if (typeof shared !== "boolean") invalid("cache.shared", "a boolean", shared);
  return {
    redis,
    prefix,
    ttlMs: ttl === undefined ? undefined : ms("cache.ttl", ttl),
    maxBodyBytes: integer("cache.maxBodyBytes", maxBodyBytes, 0, 512 * 1_048_576),
    shared,
    staleWindowMs: input.staleWindow === 0 ? 0 : ms("cache.staleWindow", input.staleWindow ?? d.staleWindow),
    timeoutMs: ms("cache.timeout", input.timeout ?? d.timeout),
  };
}
