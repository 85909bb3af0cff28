import type { Duration, Limiter } from "@sluice/core";
import {
  checkRedisLimiterOptions,
  type FailMode,
  FailModeStore,
  invalid,
  type RedisLimiterDefaults,
  RedisStore,
  type StoreFailureEvent,
  StoreLimiter,
} from "@sluice/core/adapter";
import { type IoredisClient, IoredisScriptClient } from "./ioredis-script-client.js";
import {
  isNodeRedis,
  type NodeRedisClient,
  type NodeRedisCluster,
  NodeRedisScriptClient,
} from "./node-redis-script-client.js";

export interface LimiterOptions {
  /**
   * The Redis client, which Sluice never closes: an ioredis (5 or 6) or iovalkey `Redis` or
   * `Cluster`, or a connected node-redis (5 or 6) client or cluster (`createClient()`,
   * `createCluster()`). node-redis fails a command still waiting to be sent (Redis unreachable)
   * after its `commandOptions.timeout`, 5 s by default in node-redis 6: with a `timeout` above
   * that, such a call ends then, with an error that says so.
   */
  readonly redis: IoredisClient | NodeRedisClient | NodeRedisCluster;
  /** Key prefix; every key is `<prefix>:{<quota>}:<rule>`. No braces. @default "sluice" */
  readonly prefix?: string;
  /**
   * When Redis fails or is slower than `timeout`: `"closed"` rejects with
   * `StoreUnavailableError`, `"open"` admits (and emits an event), `"local"` decides on an
   * in-memory limiter holding `localShare` of each limit.
   * @default "closed"
   */
  readonly failMode?: FailMode;
  /**
   * How long each Redis call may take before `failMode` applies: ms or a string like `"2s"`,
   * 1 ms to 60 s. A call that times out while Redis is unreachable carries the connection's last
   * error (e.g. ECONNREFUSED) as its `cause`.
   * @default 1000
   */
  readonly timeout?: Duration;
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

const defaults: RedisLimiterDefaults = { timeout: 1000, coalesce: true, rememberReplies: false };

/**
 * Creates a limiter over ioredis, iovalkey or node-redis (single node or Cluster).
 * @example
 * const limiter = createLimiter({ redis: new Redis(process.env.REDIS_URL) });
 * // or: createLimiter({ redis: await createClient({ url: process.env.REDIS_URL }).connect() });
 * const api = limiter.quota("hikerapi", { limits: [tokenBucket({ rate: 11 })] });
 * await api.acquire();
 */
export function createLimiter(options: LimiterOptions): Limiter {
  if (typeof options !== "object" || options === null) invalid("options", "an options object", options);
  const { redis } = options;
  const nodeRedis = isNodeRedis(redis);
  if (!nodeRedis && (typeof redis?.evalsha !== "function" || typeof redis.duplicate !== "function")) {
    invalid("redis", "an ioredis or iovalkey Redis or Cluster, or a node-redis client or cluster", redis);
  }
  const { prefix, failMode, timeoutMs, localShare, coalesce, rememberReplies, rememberNamedMs, onEvent } =
    checkRedisLimiterOptions(options, defaults);
  const client = nodeRedis ? new NodeRedisScriptClient(redis) : new IoredisScriptClient(redis);
  // Replies and cancel marks live twice the timeout: a resend while the caller still waits is answered.
  const redisStore = new RedisStore(client, {
    rememberReplies,
    rememberMs: Math.max(1000, 2 * timeoutMs),
    rememberNamedMs,
    timeoutMs,
  });
  const store = new FailModeStore(redisStore, {
    failMode,
    timeoutMs,
    localShare,
    onEvent,
    lastError: () => client.lastError,
  });
  // close() ends the pub/sub connection opened for concurrency waiters, if any.
  return new StoreLimiter(store, { prefix, coalesce, close: () => client.close() });
}
