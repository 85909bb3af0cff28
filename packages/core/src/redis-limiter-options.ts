import { type Duration, durationToMicros } from "./duration.js";
import type { FailMode, StoreFailureEvent } from "./fail-mode-store.js";
import { checkPrefix } from "./keys.js";
import { invalid } from "./validate.js";

/** The options every Redis-backed `createLimiter` takes (`@sluice/node`, `@sluice/upstash`), as given. */
export interface RedisLimiterOptions {
  readonly prefix?: string;
  readonly failMode?: FailMode;
  readonly timeout?: Duration;
  readonly localShare?: number;
  readonly coalesce?: boolean;
  readonly rememberReplies?: boolean;
  readonly rememberNamed?: Duration;
  readonly onEvent?: (event: StoreFailureEvent) => void;
}

/** The defaults in which the adapters differ (HTTP is slower, retried by its client, and has no pub/sub). */
export interface RedisLimiterDefaults {
  readonly timeout: Duration;
  readonly coalesce: boolean;
  readonly rememberReplies: boolean;
}

/** The shared options, each checked and defaulted. */
export interface CheckedRedisLimiterOptions {
  readonly prefix: string;
  readonly failMode: FailMode;
  readonly timeoutMs: number;
  readonly localShare: number;
  readonly coalesce: boolean;
  readonly rememberReplies: boolean;
  readonly rememberNamedMs: number;
  readonly onEvent: ((event: StoreFailureEvent) => void) | undefined;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The option, or its default when absent; `null` is a value (and fails its check), not "absent". */
export const optionOr = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);

/** Checks the options every Redis-backed limiter shares: a bad one is a TypeError naming it and its value. */
export function checkRedisLimiterOptions(
  options: RedisLimiterOptions,
  defaults: RedisLimiterDefaults,
): CheckedRedisLimiterOptions {
  const prefix = checkPrefix(optionOr(options.prefix, "sluice"));
  const failMode = optionOr(options.failMode, "closed");
  if (!["closed", "open", "local"].includes(failMode)) invalid("failMode", '"closed", "open" or "local"', failMode);
  const timeoutMs = durationToMicros("timeout", optionOr(options.timeout, defaults.timeout), 1, 60_000) / 1000;
  const localShare = optionOr(options.localShare, 0.1);
  if (typeof localShare !== "number" || !(localShare > 0 && localShare <= 1))
    invalid("localShare", "a number in (0, 1]", localShare);
  const coalesce = optionOr(options.coalesce, defaults.coalesce);
  if (typeof coalesce !== "boolean") invalid("coalesce", "a boolean", coalesce);
  const rememberReplies = optionOr(options.rememberReplies, defaults.rememberReplies);
  if (typeof rememberReplies !== "boolean") invalid("rememberReplies", "a boolean", rememberReplies);
  const rememberNamedMs = Math.ceil(
    durationToMicros("rememberNamed", optionOr(options.rememberNamed, "1h"), 1, 30 * DAY_MS) / 1000,
  );
  const { onEvent } = options;
  if (onEvent !== undefined && typeof onEvent !== "function") invalid("onEvent", "a function", onEvent);
  return { prefix, failMode, timeoutMs, localShare, coalesce, rememberReplies, rememberNamedMs, onEvent };
}
