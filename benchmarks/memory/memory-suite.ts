import { createLimiter, fixedWindow, type Rule, slidingWindow, tokenBucket } from "@sluice/node";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { bottleneckLimiter } from "../contenders/bottleneck.js";
import { physicalLimitScript } from "../contenders/physical-limit.js";
import { upstashLimiter } from "../contenders/upstash.js";
import type { Progress } from "../progress.js";
import { type Connection, connect, flushAll, masters, type RedisTargets, ready } from "../redis-targets.js";
import { type Settings, selected } from "../settings.js";

export interface MemoryRow {
  readonly contender: string;
  /** What the stored state guarantees, so rows are compared with their like. */
  readonly guarantee: string;
  readonly quotas: number;
  readonly decisionsPerQuota: number;
  readonly keysPerQuota: number;
  /** Mean `MEMORY USAGE` of all of a quota's keys, bytes. */
  readonly memoryUsagePerQuota: number;
  /** Growth of the server's `used_memory` per quota (includes the keyspace's own overhead), bytes. */
  readonly usedMemoryPerQuota: number;
  readonly note?: string;
}

// Every rule: 100 per minute, so 10 decisions on a key are all admitted.
const LIMIT = 100;
const WINDOW_MS = 60_000;
// Bottleneck needs a limiter object (init script, subscription, heartbeat) per key.
const BOTTLENECK_QUOTAS = 200;

interface MemoryCase {
  readonly contender: string;
  readonly guarantee: string;
  readonly quotas?: number;
  readonly note?: string;
  /** Returns one decision on quota `name`. */
  setup(
    redis: Connection,
    prefix: string,
  ): Promise<{ decide(name: string): Promise<unknown>; close?(): Promise<void> }>;
}

const sluice = (label: string, guarantee: string, rule: () => Rule): MemoryCase => ({
  contender: `Sluice ${label}`,
  guarantee,
  async setup(redis, prefix) {
    const limiter = createLimiter({ redis, prefix });
    const limits = [rule()];
    return { decide: (name) => limiter.quota(name, { limits }).tryAcquire() };
  },
});

const cases: readonly MemoryCase[] = [
  {
    contender: "physical limit (INCR+PEXPIRE script)",
    guarantee: "none (a counter, the floor)",
    async setup(redis, prefix) {
      return { decide: (name) => redis.eval(physicalLimitScript, 1, `${prefix}:{${name}}`) };
    },
  },
  sluice("token bucket", "rate + burst (GCRA)", () => tokenBucket({ rate: LIMIT, per: WINDOW_MS, burst: LIMIT })),
  sluice("sliding window (exact)", "exact sliding window", () => slidingWindow({ limit: LIMIT, window: WINDOW_MS })),
  sluice("sliding window (bucketed)", "sliding window, never over", () =>
    slidingWindow({ limit: LIMIT, window: WINDOW_MS, precision: "bucketed" }),
  ),
  sluice("fixed window", "fixed window", () => fixedWindow({ limit: LIMIT, window: WINDOW_MS })),
  {
    contender: "rate-limiter-flexible RateLimiterRedis",
    guarantee: "fixed window",
    async setup(redis, prefix) {
      const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: prefix, points: LIMIT, duration: 60 });
      return { decide: (name) => limiter.consume(name) };
    },
  },
  ...(["sliding window", "token bucket"] as const).map(
    (algorithm): MemoryCase => ({
      contender: `@upstash/ratelimit ${algorithm}`,
      guarantee: algorithm === "sliding window" ? "approximate sliding window" : "rate + burst (refill per interval)",
      async setup(redis, prefix) {
        const { ratelimit, identifier } = upstashLimiter(redis, "single", algorithm, prefix, LIMIT, WINDOW_MS);
        return { decide: (name) => ratelimit.limit(identifier(name)) };
      },
    }),
  ),
  {
    contender: "bottleneck (ioredis clustering)",
    guarantee: "minTime spacing / reservoir",
    quotas: BOTTLENECK_QUOTAS,
    note: `${BOTTLENECK_QUOTAS} limiters: each key needs its own limiter object`,
    async setup(redis, prefix) {
      const limiters = new Map<string, Awaited<ReturnType<typeof bottleneckLimiter>>>();
      return {
        async decide(name) {
          let entry = limiters.get(name);
          if (entry === undefined) {
            entry = await bottleneckLimiter(redis, `${prefix}:${name}`, {
              reservoir: LIMIT,
              reservoirRefreshAmount: LIMIT,
              reservoirRefreshInterval: WINDOW_MS,
            });
            limiters.set(name, entry);
          }
          return entry.limiter.schedule(async () => undefined);
        },
        async close() {
          for (const { limiter } of limiters.values()) await limiter.disconnect(false);
        },
      };
    },
  },
];

const casesOf = (settings: Settings) => cases.filter((c) => selected(settings, c.contender));

export const memoryStepsCount = (settings: Settings): number => casesOf(settings).length;

async function usedMemory(redis: Connection): Promise<number> {
  const info = (await redis.info("memory")) as string;
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** Redis memory per active quota of each algorithm and contender, on the single node. */
export async function memorySuite(targets: RedisTargets, settings: Settings, progress: Progress): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const memoryCase of casesOf(settings)) {
    progress.step(`memory: ${memoryCase.contender}`);
    await flushAll(targets, "single");
    const [admin] = masters(targets, "single") as [Connection];
    const redis = connect(targets, "single");
    const quotas = Math.min(settings.memoryKeys, memoryCase.quotas ?? settings.memoryKeys);
    try {
      await ready(redis);
      const prefix = "mem";
      const before = await usedMemory(admin);
      const decider = await memoryCase.setup(redis, prefix);
      // Quota q gets its decisions spread over the run, 64 in flight, as live traffic would.
      const total = quotas * settings.memoryDecisionsPerKey;
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < total) await decider.decide(`q${next++ % quotas}`);
        }),
      );
      await decider.close?.();
      const after = await usedMemory(admin);
      // The server was emptied first, so every key on it is this contender's.
      const keys = await admin.keys("*");
      const pipeline = admin.pipeline();
      // SAMPLES 0 counts every element of a sorted set or hash, not an estimate from five.
      for (const key of keys) pipeline.memory("USAGE", key, "SAMPLES", 0);
      const usages = (await pipeline.exec()) ?? [];
      const bytes = usages.reduce((sum, [, usage]) => sum + Number(usage ?? 0), 0);
      rows.push({
        contender: memoryCase.contender,
        guarantee: memoryCase.guarantee,
        quotas,
        decisionsPerQuota: settings.memoryDecisionsPerKey,
        keysPerQuota: keys.length / quotas,
        memoryUsagePerQuota: bytes / quotas,
        usedMemoryPerQuota: (after - before) / quotas,
        ...(memoryCase.note === undefined ? {} : { note: memoryCase.note }),
      });
    } finally {
      redis.disconnect();
      admin.disconnect();
    }
    progress.done(`memory: ${memoryCase.contender}`);
  }
  return rows;
}
