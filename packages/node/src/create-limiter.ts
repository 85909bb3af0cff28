import type { Limiter } from "@sluice/core";
import { checkPrefix, invalid, RedisStore, StoreLimiter } from "@sluice/core/adapter";
import type { Cluster, Redis } from "ioredis";
import { type FailMode, FailModeStore, type StoreFailureEvent } from "./fail-mode-store.js";
import { IoredisScriptClient } from "./ioredis-script-client.js";

export interface LimiterOptions {
  /** An ioredis `Redis` or `Cluster`; Sluice never closes it. */
  readonly redis: Redis | Cluster;
  /** Key prefix; every key is `<prefix>:{<quota>}:<rule>`. No braces. @default "sluice" */
  readonly prefix?: string;
  /**
   * When Redis fails or is slower than `timeout`: `"closed"` rejects with
   * `StoreUnavailableError`, `"open"` admits (and emits an event), `"local"` decides on an
   * in-memory limiter holding `localShare` of each limit.
   * @default "closed"
   */
  readonly failMode?: FailMode;
  /** Milliseconds each Redis call may take before `failMode` applies. 1 to 60000. @default 1000 */
  readonly timeout?: number;
  /** Share of each limit the local fallback may spend, in (0, 1]; e.g. 1 / number of processes. @default 0.1 */
  readonly localShare?: number;
  /**
   * Decide concurrent acquires on one quota from this process in one script call (in order,
   * exactly as separate calls): many decisions per round trip on a hot quota.
   * @default true
   */
  readonly coalesce?: boolean;
  /**
   * Keep each acquire call's reply in Redis for twice `timeout`, so that a call ioredis resends
   * after a reconnect (the first reply lost) is answered, not charged again. Costs one
   * short-lived key per call; without it a resend spends a slot nobody uses (never over-spends).
   * @default false
   */
  readonly rememberReplies?: boolean;
  /** Called on every store failure; nothing is logged by default. */
  readonly onEvent?: (event: StoreFailureEvent) => void;
}

/** The option, or its default when absent; `null` is a value (and fails its check), not "absent". */
const optionOr = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);

const defaults = {
  prefix: "sluice",
  failMode: "closed",
  timeout: 1000,
  localShare: 0.1,
  coalesce: true,
  rememberReplies: false,
} as const;

/**
 * Creates a limiter over ioredis (single node or Cluster).
 * @example
 * const limiter = createLimiter({ redis: new Redis(process.env.REDIS_URL) });
 * const api = limiter.quota("hikerapi", { limits: [tokenBucket({ rate: 11 })] });
 * await api.acquire();
 */
export function createLimiter(options: LimiterOptions): Limiter {
  if (typeof options !== "object" || options === null) invalid("options", "an options object", options);
  const { redis } = options;
  if (typeof redis?.evalsha !== "function" || typeof redis.duplicate !== "function") {
    invalid("redis", "an ioredis Redis or Cluster instance", redis);
  }
  const prefix = checkPrefix(optionOr(options.prefix, defaults.prefix));
  const failMode = optionOr(options.failMode, defaults.failMode);
  if (!["closed", "open", "local"].includes(failMode)) invalid("failMode", '"closed", "open" or "local"', failMode);
  const timeoutMs = optionOr(options.timeout, defaults.timeout);
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) {
    invalid("timeout", "a number of milliseconds from 1 to 60000", timeoutMs);
  }
  const localShare = optionOr(options.localShare, defaults.localShare);
  if (typeof localShare !== "number" || !(localShare > 0 && localShare <= 1))
    invalid("localShare", "a number in (0, 1]", localShare);
  const coalesce = optionOr(options.coalesce, defaults.coalesce);
  if (typeof coalesce !== "boolean") invalid("coalesce", "a boolean", coalesce);
  const rememberReplies = optionOr(options.rememberReplies, defaults.rememberReplies);
  if (typeof rememberReplies !== "boolean") invalid("rememberReplies", "a boolean", rememberReplies);
  if (options.onEvent !== undefined && typeof options.onEvent !== "function") {
    invalid("onEvent", "a function", options.onEvent);
  }
  const client = new IoredisScriptClient(redis);
  // Replies and cancel marks live twice the timeout: a resend while the caller still waits is answered.
  const redisStore = new RedisStore(client, { rememberReplies, rememberMs: Math.max(1000, 2 * timeoutMs), timeoutMs });
  const store = new FailModeStore(redisStore, {
    failMode,
    timeoutMs,
    localShare,
    onEvent: options.onEvent,
  });
  // close() ends the pub/sub connection opened for concurrency waiters, if any.
  return new StoreLimiter(store, { prefix, coalesce, close: () => client.close() });
}
