// The serverless example on this machine: a redis-server, a local Upstash REST endpoint in front
// of it, the Cloudflare Worker running in workerd (through Miniflare), the Lambda-style handler and
// the Node worker on ioredis, all spending one quota at once. One line per decision, then the
// admissions per side and the worst 1000 ms window on Redis's clock against the limit.
//   pnpm tsx examples/serverless/run.ts
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { startRedis } from "../../tools/redis-servers.js";
import { startUpstashEndpoint } from "../../tools/upstash-endpoint.js";
import { runWorker } from "../../tools/workerd.js";
import { worstWindow } from "../../tools/worst-window.js";
import { handler } from "./handler.js";
import { nodeWorker } from "./node-worker.js";
import { type Answer, LIMIT, QUOTA, WINDOW_MS } from "./quota.js";

/** Admissions each caller of a side waits for; two callers per side. */
const ADMISSIONS = 4;
const CALLERS = 2;
/** How long each admitted request's call to the API takes here, before the caller's next one. */
const API_CALL_MS = 100;

type Side = "worker" | "handler" | "node";
type Call = () => Promise<{ answer: Answer; retryAfter?: string | undefined }>;

/** Calls until admitted `ADMISSIONS` times; after a 429 it waits as long as the answer says. */
async function caller(side: Side, call: Call, startedAt: number, admitted: number[]): Promise<number> {
  let denied = 0;
  while (admitted.length < ADMISSIONS) {
    const { answer, retryAfter } = await call();
    if ("admittedAt" in answer) {
      admitted.push(answer.admittedAt);
      console.log(`${side.padEnd(7)}  admitted  slot at ${((answer.admittedAt - startedAt) / 1000).toFixed(3)} s`);
      await sleep(API_CALL_MS);
    } else {
      denied++;
      console.log(`${side.padEnd(7)}  429       Retry-After: ${retryAfter}, retry in ${answer.retryAfterMs} ms`);
      // The body's milliseconds: `Retry-After` holds whole seconds only.
      await sleep(answer.retryAfterMs);
    }
  }
  return denied;
}

/** What the run started, stopped in reverse order however it ends. */
const started: Array<() => unknown> = [];
try {
  const redis = await startRedis();
  started.push(() => redis.stop());
  const endpoint = await startUpstashEndpoint({ redisUrl: redis.url });
  started.push(() => endpoint.close());
  // What `Redis.fromEnv()` reads in the handler; the Worker gets the same as bindings.
  const env = { UPSTASH_REDIS_REST_URL: endpoint.url, UPSTASH_REDIS_REST_TOKEN: endpoint.token };
  Object.assign(process.env, env);
  const worker = await runWorker({ entry: fileURLToPath(new URL("./worker.ts", import.meta.url)), bindings: env });
  started.push(() => worker.dispose());
  const ioredis = new Redis(redis.url);
  started.push(() => ioredis.quit());
  const node = nodeWorker(ioredis);
  started.push(() => node.close());
  console.log(
    `redis-server ${redis.url}, Upstash endpoint ${endpoint.url}; quota "${QUOTA}": ${LIMIT} per ${WINDOW_MS} ms`,
  );

  /** One call of each side, answered as its caller sees it. */
  const calls: Record<Side, Call> = {
    async worker() {
      const response = await worker.fetch("/");
      if (response.status !== 200 && response.status !== 429) {
        throw new Error(`the Worker answered ${response.status}: ${await response.text()}`);
      }
      return {
        answer: (await response.json()) as Answer,
        retryAfter: response.headers.get("retry-after") ?? undefined,
      };
    },
    async handler() {
      const result = await handler();
      return { answer: JSON.parse(result.body) as Answer, retryAfter: result.headers["retry-after"] };
    },
    async node() {
      return { answer: { admittedAt: await node.job() } };
    },
  };

  const [seconds, micros] = await ioredis.time();
  const startedAt = Number(seconds) * 1000 + Number(micros) / 1000;
  const sides: Side[] = ["worker", "handler", "node"];
  const outcomes = await Promise.all(
    sides.map(async (side) => {
      const callers = Array.from({ length: CALLERS }, () => [] as number[]);
      const denied = await Promise.all(callers.map((admitted) => caller(side, calls[side], startedAt, admitted)));
      return { side, admitted: callers.flat(), denied: denied.reduce((a, b) => a + b, 0) };
    }),
  );
  const perSide = outcomes.map(({ side, admitted, denied }) => `${side} ${admitted.length} (${denied} × 429)`);
  console.log(`\nadmitted: ${perSide.join(", ")}`);
  const worst = worstWindow(
    outcomes.flatMap(({ admitted }) => admitted),
    WINDOW_MS,
  );
  console.log(`worst ${WINDOW_MS} ms window on Redis's clock: ${worst} admitted, limit ${LIMIT}`);
  console.log(`HTTP requests at the Upstash endpoint (Worker and handler): ${endpoint.stats.requests}`);
} finally {
  for (const stop of started.reverse()) await stop();
}
