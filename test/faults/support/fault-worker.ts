// A worker process for the fault tests. Prints one JSON object per line on stdout.
//   MODE=hold: takes HOLD leases of concurrency(LIMIT, LEASE_MS), prints {"held":[...]} and
//     then stays alive holding them until killed (the SIGKILL test).
//   MODE=loop: waits for "go" on stdin, then for DURATION_MS acquires (IN_FLIGHT at a time)
//     from slidingWindow(LIMIT per WINDOW_MS) with failMode closed and TIMEOUT_MS, printing
//     {"at": <admitted Redis ms>, "t": <local ms>} per admission (waiting at most MAX_WAIT_MS) and {"error": "<code or name>", "t"} per failure,
//     and at the end {"done": true}. Any unhandled rejection or uncaught exception prints
//     {"crash": "..."} and exits 3.
import { concurrency, createLimiter, isSluiceError, slidingWindow } from "@sluice/node";
import { Redis } from "ioredis";
import { requiredEnv as env } from "../../../tools/worker-env.js";

const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

for (const event of ["unhandledRejection", "uncaughtException"] as const) {
  process.on(event, (error: unknown) => {
    print({ crash: `${event}: ${error instanceof Error ? error.stack : String(error)}` });
    process.exit(3);
  });
}

const redis = new Redis(env("REDIS_URL"));
redis.on("error", () => {});
const mode = env("MODE");

if (mode === "hold") {
  const limiter = createLimiter({ redis, prefix: env("PREFIX") });
  const quota = limiter.quota(env("QUOTA"), {
    limits: [concurrency({ limit: Number(env("LIMIT")), lease: Number(env("LEASE_MS")) })],
  });
  const grants = [];
  for (let i = 0; i < Number(env("HOLD")); i++) grants.push(await quota.acquire({ maxWait: 5000 }));
  print({ held: grants.map((g) => g.lease), pid: process.pid });
  setInterval(() => {}, 60_000);
} else {
  const limiter = createLimiter({ redis, prefix: env("PREFIX"), timeout: Number(env("TIMEOUT_MS")) });
  const quota = limiter.quota(env("QUOTA"), {
    limits: [slidingWindow({ limit: Number(env("LIMIT")), window: Number(env("WINDOW_MS")) })],
  });
  const loop = async (until: number): Promise<void> => {
    while (performance.now() < until) {
      try {
        const grant = await quota.acquire({ maxWait: Number(process.env.MAX_WAIT_MS ?? "2000") });
        print({ at: grant.admittedAt, t: Date.now() });
      } catch (error) {
        print({ error: isSluiceError(error) ? error.code : String(error), t: Date.now() });
        // A failing store answers fast; do not spin.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  print({ ready: true });
  process.stdin.once("data", async () => {
    const until = performance.now() + Number(env("DURATION_MS"));
    await Promise.all(Array.from({ length: Number(process.env.IN_FLIGHT ?? "2") }, () => loop(until)));
    print({ done: true });
    redis.disconnect();
    process.exit(0);
  });
}
