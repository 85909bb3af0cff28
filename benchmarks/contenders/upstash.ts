import { Ratelimit } from "@upstash/ratelimit";
import type { Connection, Topology } from "../redis-targets.js";
import type { Contender } from "./contender.js";
import { UpstashIoredisAdapter } from "./upstash-ioredis-adapter.js";

export type UpstashAlgorithm = "sliding window" | "token bucket";

export interface UpstashLimiter {
  readonly ratelimit: Ratelimit;
  /** The identifier to pass for quota `name` on this topology. */
  identifier(name: string): string;
}

/**
 * @upstash/ratelimit over the local Redis through the ioredis adapter. Its sliding window keeps
 * two keys (this window and the previous one) that share no hash tag, so on a Cluster the
 * identifier is wrapped in braces; otherwise every call fails with CROSSSLOT.
 */
export function upstashLimiter(
  redis: Connection,
  topology: Topology,
  algorithm: UpstashAlgorithm,
  prefix: string,
  limit: number,
  windowMs: number,
): UpstashLimiter {
  const ratelimit = new Ratelimit({
    redis: new UpstashIoredisAdapter(redis) as unknown as ConstructorParameters<typeof Ratelimit>[0]["redis"],
    limiter:
      algorithm === "sliding window"
        ? Ratelimit.slidingWindow(limit, `${windowMs} ms`)
        : Ratelimit.tokenBucket(limit, `${windowMs} ms`, limit),
    prefix,
    analytics: false,
  });
  return { ratelimit, identifier: (name) => (topology === "cluster" ? `{${name}}` : name) };
}

export function upstashContenders(): Contender[] {
  return (["sliding window", "token bucket"] as const).map((algorithm) => ({
    name: `@upstash/ratelimit ${algorithm}`,
    unsupported: () => undefined,
    async create(redis, scenario) {
      const { ratelimit, identifier } = upstashLimiter(
        redis,
        scenario.topology,
        algorithm,
        scenario.prefix,
        10_000_000,
        60_000,
      );
      return { decide: async (key) => (await ratelimit.limit(identifier(key))).success };
    },
  }));
}
