// One worker process sharing a quota (used by `pnpm demo` and the multi-process test).
// Waits for "go" on stdin, acquires for DURATION_MS with IN_FLIGHT acquires at a time, and
// prints one JSON line per admission: {"admittedAt": <Redis epoch ms of its slot>}.
// CLOCK_SKEW_MS shifts this process's Date.now, as a machine with a wrong clock would. EXACT=1
// makes the quota exact on Redis's clock alone (no arrival margin, no pacing); every process
// sharing the quota must then do the same, as the margin is part of the quota's shared state.
import { createLimiter, slidingWindow } from "@sluice/node";
import { Redis } from "ioredis";
import { applyClockSkew, requiredEnv as env } from "./worker-env.js";

applyClockSkew();

const redis = new Redis(env("REDIS_URL"));
const limiter = createLimiter({ redis, prefix: env("PREFIX") });
const exact = process.env.EXACT === "1" ? ({ arrivalMargin: 0, pacing: false } as const) : {};
const quota = limiter.quota(env("QUOTA"), {
  limits: [slidingWindow({ limit: Number(env("LIMIT")), window: Number(env("WINDOW_MS")) })],
  ...exact,
});
const durationMs = Number(env("DURATION_MS"));
const inFlight = Number(process.env.IN_FLIGHT ?? "4");

async function loop(until: number): Promise<void> {
  while (performance.now() < until) {
    const grant = await quota.acquire({ maxWait: "10s" });
    process.stdout.write(`${JSON.stringify({ admittedAt: grant.admittedAt })}\n`);
  }
}

process.stdout.write("ready\n");
process.stdin.once("data", async () => {
  const until = performance.now() + durationMs;
  await Promise.all(Array.from({ length: inFlight }, () => loop(until)));
  await redis.quit();
  process.exit(0);
});
