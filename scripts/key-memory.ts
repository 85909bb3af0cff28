// `pnpm tsx scripts/key-memory.ts`: Redis MEMORY USAGE of one quota key per algorithm, filled
// to its limit, on the Redis at REDIS_URL (default redis://127.0.0.1:6379).
import { concurrency, createLimiter, fixedWindow, type Rule, slidingWindow, tokenBucket } from "@sluice/node";
import { Redis } from "ioredis";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const limiter = createLimiter({ redis, prefix: `mem:${process.pid}` });

const cases: Array<[string, Rule, number]> = [
  ["tokenBucket 11/s", tokenBucket({ rate: 11 }), 11],
  ["slidingWindow exact 100/min", slidingWindow({ limit: 100, window: "1m" }), 100],
  ["slidingWindow exact 1000/h", slidingWindow({ limit: 1000, window: "1h" }), 1000],
  ["slidingWindow bucketed 1M/day (100 buckets)", slidingWindow({ limit: 1_000_000, window: "1d" }), 1_000_000],
  ["fixedWindow 1000/h", fixedWindow({ limit: 1000, window: "1h" }), 1000],
  ["concurrency 20", concurrency({ limit: 20 }), 20],
];

console.log("| rule | units spent | MEMORY USAGE (bytes) |\n|---|---|---|");
for (const [label, rule, units] of cases) {
  const quota = limiter.quota(label, { limits: [rule] });
  // Spread the units over time where the rule allows it, as real traffic would.
  const cost = rule.kind === "concurrency" || rule.kind === "tokenBucket" ? 1 : Math.max(1, Math.floor(units / 100));
  for (let spent = 0; spent < units; spent += cost) {
    if (!(await quota.tryAcquire({ cost })).allowed) break;
  }
  const [key] = await redis.keys(`mem:${process.pid}:{${label}}:*`);
  console.log(`| ${label} | ${units} | ${await redis.memory("USAGE", key as string)} |`);
  await quota.reset();
}
await redis.quit();
