// A child process for the bulk tests: runs the hikerapi followers job (examples/) over USERS
// user ids (u0, u1, ...) from an async generator, through a Redis token bucket of RATE per
// second, into OUTPUT. Prints the summary as one JSON line on stdout; exits 0 when the run
// resolved (finished or stopped by a signal), 3 on an error.
//   env: API_URL, REDIS_URL, PREFIX, OUTPUT, USERS, RATE, CONCURRENCY, RETRIES, HANDLE_SIGNALS
import { createLimiter, tokenBucket } from "@sluice/node";
import { Redis } from "ioredis";
import { followersTask } from "../../../examples/hikerapi-followers/followers-job.js";
import { runBulk } from "../../../packages/bulk/src/index.js";
import { requiredEnv as env } from "../../../tools/worker-env.js";

async function* userIds(count: number): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) yield `u${i}`;
}

const redis = new Redis(env("REDIS_URL"), { maxRetriesPerRequest: 1 });
redis.on("error", () => {});
try {
  const limiter = createLimiter({ redis, prefix: env("PREFIX") });
  const rate = Number(env("RATE"));
  const summary = await runBulk({
    inputs: userIds(Number(env("USERS"))),
    total: Number(env("USERS")),
    key: (id) => id,
    task: followersTask(env("API_URL")),
    quota: limiter.quota("followers", { limits: [tokenBucket({ rate, burst: Math.max(1, Math.floor(rate / 20)) })] }),
    output: env("OUTPUT"),
    concurrency: Number(process.env.CONCURRENCY ?? "16"),
    retry: { limit: Number(process.env.RETRIES ?? "2"), baseDelay: 20 },
    drain: 5000,
    handleSignals: process.env.HANDLE_SIGNALS === "1",
    progress: false,
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  redis.disconnect();
  process.exit(0);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  redis.disconnect();
  process.exit(3);
}
