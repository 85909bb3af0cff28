// One process of the multi-process fetch tests. Prints "ready", then runs one phase per JSON
// line on stdin ({ serverUrl, prefix, limit, windowMs, durationMs, inFlight, retryLimit }): a
// `createFetch` over a Redis limiter (the same prefix in every process) keeps `inFlight` calls
// to the server going for `durationMs`, printing one JSON line per finished call
// ({"status": 200} or {"error": "<name>"}), then {"stats": ...} and "done". Exits on EOF.
import { createInterface } from "node:readline";
import { slidingWindow } from "@sluice/core";
import { createFetch } from "@sluice/fetch";
import { createLimiter } from "@sluice/node";
import { Redis } from "ioredis";

export interface Phase {
  readonly serverUrl: string;
  readonly prefix: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly durationMs: number;
  readonly inFlight: number;
  readonly retryLimit: number;
  readonly onExhausted: "pause" | "ignore";
}

const print = (value: unknown): void => {
  process.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value)}\n`);
};

const redis = new Redis(process.env.REDIS_URL as string);
const worker = process.env.WORKER as string;

async function runPhase(phase: Phase): Promise<void> {
  const limiter = createLimiter({ redis, prefix: phase.prefix });
  const server = phase.serverUrl;
  let mostRetries = 0;
  const limitedFetch = createFetch({
    limiter,
    onEvent: (event) => {
      if (event.type === "retry") mostRetries = Math.max(mostRetries, event.attempt);
    },
    retry: { limit: phase.retryLimit },
    onExhausted: phase.onExhausted,
    routes: [
      {
        match: `${server}/`,
        quota: "shared",
        limits: [slidingWindow({ limit: phase.limit, window: phase.windowMs })],
      },
    ],
  });
  // Opens the sockets and runs the code paths (acquire, send, feedback) before the measured start,
  // on a quota of its own that lets everything through, as in a service that has been running:
  // a cold process is late for its first slots. /__warmup is not counted by the server.
  const warm = createFetch({
    limiter: createLimiter({ redis, prefix: `${phase.prefix}-warm-${worker}` }),
    routes: [{ match: `${server}/`, quota: "warm", limits: [slidingWindow({ limit: 100_000, window: "1s" })] }],
  });
  let left = 50;
  await Promise.all(
    Array.from({ length: phase.inFlight }, async () => {
      while (left-- > 0) await (await warm(`${server}/__warmup`)).arrayBuffer();
    }),
  );
  const until = performance.now() + phase.durationMs;
  const loop = async (lane: number): Promise<void> => {
    for (let i = 0; performance.now() < until; i++) {
      try {
        const res = await limitedFetch(`${server}/w${worker}/l${lane}/${i}`);
        await res.text();
        print({ status: res.status });
      } catch (error) {
        print({ error: (error as Error).name });
      }
    }
  };
  await Promise.all(Array.from({ length: phase.inFlight }, (_, lane) => loop(lane)));
  print({ stats: limitedFetch.stats(), mostRetries });
  limiter.close();
  print("done");
}

// Loads the Redis scripts before the first phase.
await createLimiter({ redis, prefix: "warm-up" })
  .quota("warm-up", { limits: [slidingWindow({ limit: 100, window: "1s" })] })
  .acquire();
print("ready");
const lines = createInterface({ input: process.stdin });
for await (const line of lines) await runPhase(JSON.parse(line) as Phase);
await redis.quit();
process.exit(0);
