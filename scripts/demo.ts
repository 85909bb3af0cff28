// `pnpm demo`: several worker processes share one quota (hikerapi's 11 requests per second)
// through Redis. Prints each second's admissions per worker against the limit, then a summary.
import { createMemoryLimiter, slidingWindow } from "@sluice/node";
import { isOnPath, isReachable, type RedisServer, startRedis } from "../tools/redis-servers.js";
import { analyseShare } from "../tools/share-analysis.js";
import { runWorkers } from "../tools/spawn-workers.js";

const LIMIT = 11;
const WINDOW_MS = 1000;
const DURATION_MS = 8000;
const WORKERS = 4;

function printSecond(second: number, counts: number[]): void {
  const total = counts.reduce((a, b) => a + b, 0);
  const perWorker = counts.map((c, w) => `w${w + 1}: ${String(c).padStart(2)}`).join("  ");
  console.log(`second ${String(second).padStart(2)}  ${perWorker}  total ${String(total).padStart(2)}/${LIMIT}`);
}

function printSummary(times: number[]): void {
  const s = analyseShare(times, LIMIT, WINDOW_MS, DURATION_MS);
  console.log(
    `\nadmitted ${s.admitted}, worst ${WINDOW_MS} ms window ${s.worstWindow}/${LIMIT}, utilisation ${(s.utilisation * 100).toFixed(1)}%`,
  );
}

function tally(times: number[][]): void {
  const first = Math.min(...times.flat());
  const seconds = Math.ceil(DURATION_MS / WINDOW_MS);
  for (let s = 0; s < seconds; s++) {
    printSecond(
      s + 1,
      times.map((own) => own.filter((t) => t >= first + s * WINDOW_MS && t < first + (s + 1) * WINDOW_MS).length),
    );
  }
  printSummary(times.flat());
}

async function inMemory(): Promise<void> {
  console.log("No Redis reachable and no redis-server binary: running on the in-memory store, in ONE process.\n");
  const quota = createMemoryLimiter().quota("hikerapi", {
    limits: [slidingWindow({ limit: LIMIT, window: WINDOW_MS })],
  });
  const until = performance.now() + DURATION_MS;
  const times: number[][] = Array.from({ length: WORKERS }, () => []);
  await Promise.all(
    times.map(async (own) => {
      while (performance.now() < until) own.push((await quota.acquire()).admittedAt);
    }),
  );
  tally(times);
}

async function main(): Promise<void> {
  let url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  let started: RedisServer | undefined;
  if (!(await isReachable(url))) {
    if (!isOnPath("redis-server")) return inMemory();
    started = await startRedis();
    url = started.url;
    console.log(`Started a local redis-server on ${url} for this demo.`);
  }
  console.log(
    `${WORKERS} worker processes share ONE quota of ${LIMIT} per second for ${DURATION_MS / 1000} s, decided in Redis.\n`,
  );
  try {
    const times = await runWorkers({
      redisUrl: url,
      prefix: `demo:${process.pid}`,
      quota: "hikerapi",
      limit: LIMIT,
      windowMs: WINDOW_MS,
      durationMs: DURATION_MS,
      workers: WORKERS,
    });
    tally(times);
  } finally {
    await started?.stop();
  }
}

await main();
