// `pnpm demo [--dashboard]`: several worker processes share one quota (hikerapi's 11 requests per
// second) through Redis. Prints each second's admissions per worker against the limit as that second
// ends, then a summary. With --dashboard it also serves `sluice dashboard` on the demo's quota.
import { createMemoryLimiter, slidingWindow } from "@sluice/node";
import { type StartedDashboard, startDashboard } from "../packages/node/src/cli/dashboard/start-dashboard.js";
import { isOnPath, isReachable, type RedisServer, startRedis } from "../tools/redis-servers.js";
import { analyseShare } from "../tools/share-analysis.js";
import { runWorkers } from "../tools/spawn-workers.js";
import { type SecondRow, SecondTally } from "./second-tally.js";

const LIMIT = 11;
const WINDOW_MS = 1000;
const DURATION_MS = 8000;
const WORKERS = 4;
/** How long after a second ends its row waits for admissions still on their way from the workers. */
const LAG_MS = 200;

function printRows(rows: readonly SecondRow[]): void {
  for (const { second, counts } of rows) {
    const total = counts.reduce((a, b) => a + b, 0);
    const perWorker = counts.map((c, w) => `w${w + 1}: ${String(c).padStart(2)}`).join("  ");
    console.log(`second ${String(second).padStart(2)}  ${perWorker}  total ${String(total).padStart(2)}/${LIMIT}`);
  }
}

function printSummary(times: number[]): void {
  const s = analyseShare(times, LIMIT, WINDOW_MS, DURATION_MS);
  console.log(
    `\nadmitted ${s.admitted}, worst ${WINDOW_MS} ms window ${s.worstWindow}/${LIMIT}, utilisation ${(s.utilisation * 100).toFixed(1)}%`,
  );
}

const newTally = (): SecondTally =>
  new SecondTally({
    workers: WORKERS,
    seconds: Math.ceil(DURATION_MS / WINDOW_MS),
    windowMs: WINDOW_MS,
    lagMs: LAG_MS,
  });

async function inMemory(): Promise<void> {
  console.log("No Redis reachable and no redis-server binary: running on the in-memory store, in ONE process.\n");
  const quota = createMemoryLimiter().quota("hikerapi", {
    limits: [slidingWindow({ limit: LIMIT, window: WINDOW_MS })],
  });
  const tally = newTally();
  const until = performance.now() + DURATION_MS;
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      while (performance.now() < until) {
        const { admittedAt } = await quota.acquire();
        times.push(admittedAt);
        printRows(tally.add(worker, admittedAt));
      }
    }),
  );
  printRows(tally.finish());
  printSummary(times);
}

/** Resolves on Ctrl-C (or SIGTERM). */
const interrupted = (): Promise<void> =>
  new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });

async function main(args: readonly string[]): Promise<void> {
  const unknown = args.filter((arg) => arg !== "--dashboard");
  if (unknown.length > 0) {
    console.error(`Unknown argument \`${unknown[0]}\`. Usage: pnpm demo [--dashboard]`);
    process.exitCode = 2;
    return;
  }
  const withDashboard = args.includes("--dashboard");
  let url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  let started: RedisServer | undefined;
  if (!(await isReachable(url))) {
    if (!isOnPath("redis-server")) {
      if (withDashboard) console.log("The dashboard reads Redis, so --dashboard does nothing without it.");
      return inMemory();
    }
    started = await startRedis();
    url = started.url;
    console.log(`Started a local redis-server on ${url} for this demo.`);
  }
  const prefix = `demo:${process.pid}`;
  let dashboard: StartedDashboard | undefined;
  try {
    if (withDashboard) {
      dashboard = await startDashboard({
        url,
        cluster: undefined,
        prefix,
        host: "127.0.0.1",
        port: 0,
        intervalSeconds: 1,
      });
      console.log(`Dashboard of the demo's quota (prefix "${prefix}"): ${dashboard.url}`);
    }
    console.log(
      `${WORKERS} worker processes share ONE quota of ${LIMIT} per second for ${DURATION_MS / 1000} s, decided in Redis.\n`,
    );
    const tally = newTally();
    const times = await runWorkers({
      redisUrl: url,
      prefix,
      quota: "hikerapi",
      limit: LIMIT,
      windowMs: WINDOW_MS,
      durationMs: DURATION_MS,
      workers: WORKERS,
      onAdmission: (worker, admittedAt) => printRows(tally.add(worker, admittedAt)),
    });
    printRows(tally.finish());
    printSummary(times.flat());
    if (dashboard) {
      console.log(`\nThe dashboard keeps the run's last minutes: ${dashboard.url} (Ctrl-C to stop)`);
      await interrupted();
    }
  } finally {
    await dashboard?.close();
    await started?.stop();
  }
}

await main(process.argv.slice(2));
