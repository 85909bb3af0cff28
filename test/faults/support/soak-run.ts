import { concurrency, createLimiter, fixedWindow, slidingWindow, tokenBucket } from "@sluice/node";
import type { Redis } from "ioredis";
import { heapMb } from "./gc.js";

export interface SoakSample {
  readonly decisions: number;
  readonly heapMb: number;
  /** Quota state keys (limits, pauses). */
  readonly keys: number;
  /** Remembered replies of recent script calls (`…:call:<id>`), kept so a resend is answered. */
  readonly callKeys: number;
}

export interface SoakResult {
  readonly decisions: number;
  readonly admitted: number;
  readonly ms: number;
  readonly samples: readonly SoakSample[];
  /** Keys the quotas may hold at once: 6 hot quotas' keys plus the churned names still alive. */
  readonly keyBound: number;
  /** Script calls per second over the run: call keys live 2 s, so about twice this at most. */
  readonly callsPerSecond: number;
  /** Longest TTL any key of the run can have, ms (windows 1 s; remembered replies 2 s). */
  readonly ttlMs: number;
}

const WINDOW_MS = 1000;

async function countKeys(redis: Redis, prefix: string, match = "*"): Promise<number> {
  let cursor = "0";
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:${match}`, "COUNT", 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== "0");
  return count;
}

async function scriptCalls(redis: Redis): Promise<number> {
  const stats = await redis.info("commandstats");
  return [...stats.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * `total` decisions in one process on quotas with 1 s windows, `inFlight` at a time (coalesced):
 * hot quotas of every kind, and one decision in 100 on a quota name never seen before (names
 * churn, as per-user quotas do). Samples heap and the prefix's key count `samples` times.
 */
export async function soak(
  redis: Redis,
  prefix: string,
  total: number,
  inFlight = 256,
  samples = 20,
): Promise<SoakResult> {
  // Replies remembered (the heavier setting) for twice the default timeout (2 s), then expire.
  const limiter = createLimiter({ redis, prefix, rememberReplies: true });
  const hot = [
    limiter.quota("tb", { limits: [tokenBucket({ rate: 50_000, burst: 1000 })] }),
    limiter.quota("sw", { limits: [slidingWindow({ limit: 1000, window: WINDOW_MS })] }),
    limiter.quota("swb", { limits: [slidingWindow({ limit: 100_000, window: WINDOW_MS, precision: "bucketed" })] }),
    limiter.quota("fw", { limits: [fixedWindow({ limit: 20_000, window: WINDOW_MS })] }),
    limiter.quota("mixed", {
      limits: [concurrency({ limit: 64, lease: WINDOW_MS }), tokenBucket({ rate: 20_000, burst: 500 })],
    }),
    limiter.quota("paused", { limits: [slidingWindow({ limit: 100, window: WINDOW_MS })] }),
  ];
  const churnRule = [slidingWindow({ limit: 5, window: WINDOW_MS })];
  let issued = 0;
  let admitted = 0;
  let churn = 0;
  const taken: SoakSample[] = [];
  const every = Math.max(1, Math.floor(total / samples));
  let nextSample = every;
  const callsBefore = await scriptCalls(redis);
  const started = performance.now();
  const sample = async (): Promise<void> => {
    const all = await countKeys(redis, prefix);
    const callKeys = await countKeys(redis, prefix, "*:call:*");
    taken.push({ decisions: issued, heapMb: heapMb(), keys: all - callKeys, callKeys });
  };
  const worker = async (): Promise<void> => {
    while (issued < total) {
      const n = issued++;
      if (n >= nextSample) {
        nextSample += every;
        await sample();
      }
      const quota =
        n % 100 === 99
          ? limiter.quota(`user-${churn++}`, { limits: churnRule })
          : (hot[n % hot.length] as (typeof hot)[number]);
      const decision = await quota.tryAcquire();
      if (decision.allowed) {
        admitted++;
        if (quota === hot[4]) await quota.release(decision);
      }
      if (n % 5000 === 0) await (hot[5] as (typeof hot)[number]).pause("5ms");
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - started;
  const callsPerSecond = ((await scriptCalls(redis)) - callsBefore) / (ms / 1000);
  await sample();
  limiter.close();
  // Churned names created in the last window live on; each has one key (its pause key is never
  // set), and its arrival part's for a millisecond (pacing). Every hot quota has an arrival part.
  const churnPerWindow = Math.ceil(((total / 100) * WINDOW_MS) / ms) + 1;
  return {
    decisions: issued,
    admitted,
    ms,
    samples: taken,
    keyBound: 6 + 6 + 1 + churnPerWindow * 3,
    callsPerSecond,
    ttlMs: Math.max(WINDOW_MS, 2000),
  };
}

export { countKeys };
