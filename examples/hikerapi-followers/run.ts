// The hikerapi followers job (hikerapi's "Timeout Information" page) as a resumable bulk run:
// the followers of 20 user ids, page by page, through ONE shared quota of 11 requests per
// second and 1M per day, into NDJSON. Against a local mock of the API that answers 429 above
// 11 requests in any second. Stop it (Ctrl-C) or kill it at any point and run it again: it
// goes on where it stopped, without fetching a written page again.
//   pnpm tsx examples/hikerapi-followers/run.ts
// Redis: REDIS_URL (default redis://127.0.0.1:6379); if none answers, a redis-server started
// for the run; without one, the in-memory limiter (one process only).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLimiter, createMemoryLimiter, type Limiter, slidingWindow, tokenBucket } from "@sluice/node";
import { Redis } from "ioredis";
import { runBulk } from "../../packages/bulk/src/index.js";
import { isOnPath, isReachable, type RedisServer, startRedis } from "../../tools/redis-servers.js";
import { followersTask } from "./followers-job.js";
import { startMockApi } from "./mock-api.js";

// From the seed page, one id twice as there: the run fetches it once and reports the repeat.
const USER_IDS = [
  "1553030189",
  "12345",
  "4238157586",
  "57606704380",
  "44207170437",
  "58568300401",
  "47857986514",
  "419762293",
  "11461087642",
  "5310983422",
  "25044994947",
  "25044994947",
  "6882128701",
  "37452706560",
  "420842043",
  "1220781192",
  "6388630183",
  "1320664128",
  "6438020799",
  "52027596085",
];
const here = fileURLToPath(new URL(".", import.meta.url));
const output = process.env.OUTPUT ?? join(here, "out", "followers.ndjson");

/** Inputs whose id came earlier in the list: read once, not an output line written twice. */
const repeated = (count: number): string =>
  count === 0 ? "" : `; ${count} repeated input id${count === 1 ? "" : "s"} skipped`;

async function limiterFor(): Promise<{ limiter: Limiter; where: string; close: () => Promise<void> }> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  let started: RedisServer | undefined;
  if (!(await isReachable(url))) {
    if (!isOnPath("redis-server")) {
      return {
        limiter: createMemoryLimiter(),
        where: "the in-memory limiter (no Redis reachable)",
        close: async () => {},
      };
    }
    started = await startRedis();
  }
  const redis = new Redis(started?.url ?? url, { maxRetriesPerRequest: 1 });
  return {
    limiter: createLimiter({ redis, prefix: "hikerapi-example" }),
    where: started ? `a redis-server started for this run at ${started.url}` : `Redis at ${url}`,
    close: async () => {
      redis.disconnect();
      await started?.stop();
    },
  };
}

const api = await startMockApi({ limitPerSecond: 11, maxFollowers: 250, latencyMs: [20, 120] });
const { limiter, where, close } = await limiterFor();
const quota = limiter.quota("hikerapi", {
  limits: [tokenBucket({ rate: 11, per: "1s", burst: 1 }), slidingWindow({ limit: 1_000_000, window: "1d" })],
});
console.error(`Mock hikerapi at ${api.url}; quota on ${where}; writing ${output}`);

try {
  const summary = await runBulk({
    inputs: USER_IDS,
    key: (id) => id,
    task: followersTask(api.url, { onRateLimited: (ms) => quota.pause(ms) }),
    quota,
    output,
    concurrency: 6,
    handleSignals: true,
  });
  const tooMany = api.requests.filter((r) => r.status === 429).length;
  const seconds = summary.elapsedMs / 1000;
  console.log(
    [
      `items: ${summary.done} fetched, ${summary.skipped} already done, ${summary.failed} failed${repeated(summary.duplicates)}`,
      `pages: ${summary.pages} written, ${summary.requests} requests (${(summary.requests / seconds).toFixed(1)}/s), ${tooMany} answered 429`,
      `elapsed: ${seconds.toFixed(1)} s${summary.interrupted ? " (stopped: run again to resume)" : ""}`,
      `output: ${summary.output}${summary.failed > 0 ? `, failures: ${summary.failures}` : ""}`,
    ].join("\n"),
  );
} finally {
  await api.close();
  await close();
}
