// A mixed fleet on one quota: a real Worker in workerd on @sluice/upstash (HTTP, through the local
// Upstash REST endpoint), Node processes on ioredis and a node-redis client in this process, all
// spending one sliding window at the same time. Every grant's slot is on Redis's clock, so the sum
// over all of them is held to the limit in every 1000 ms window.
import { fileURLToPath } from "node:url";
import { createLimiter, slidingWindow } from "@sluice/node";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RedisServer, startRedis } from "../tools/redis-servers.js";
import { analyseShare } from "../tools/share-analysis.js";
import { runWorkers } from "../tools/spawn-workers.js";
import { startUpstashEndpoint, type UpstashEndpoint } from "../tools/upstash-endpoint.js";
import { type RunningWorker, runWorker } from "../tools/workerd.js";
import type { FleetDecision } from "./fixtures/workers/fleet-quota.js";
import { exactOnRedisClock } from "./support/exact.js";
import { randomPrefix } from "./support/redis-clients.js";

const entry = fileURLToPath(new URL("./fixtures/workers/fleet-quota.ts", import.meta.url));

/** Spenders of each side in this process, as many as tools/admission-worker.ts runs per process. */
const IN_FLIGHT = 4;

// node-redis ends the process on an 'error' event nobody listens to.
const ignore = (): void => {};

interface FleetQuota {
  readonly prefix: string;
  readonly limit: number;
  readonly windowMs: number;
  /** @default false: see "concurrent requests on one warm limiter, coalescing on" below. */
  readonly coalesce?: boolean;
  /** Exact on Redis's clock (`arrivalMargin: 0, pacing: false`). @default false */
  readonly exact?: boolean;
}

/** The Worker's bindings: the endpoint, and the quota it spends. */
const bindingsFor = (endpoint: UpstashEndpoint, quota: FleetQuota) => ({
  UPSTASH_URL: endpoint.url,
  UPSTASH_TOKEN: endpoint.token,
  PREFIX: quota.prefix,
  QUOTA: "fleet",
  LIMIT: quota.limit,
  WINDOW_MS: quota.windowMs,
  COALESCE: quota.coalesce ?? false,
  EXACT: quota.exact ?? false,
});

/** Asks the Worker for a decision (`tryAcquire`, or `acquire` with `maxWait` ms). */
async function decide(worker: RunningWorker, maxWaitMs?: number): Promise<FleetDecision> {
  const response = await worker.fetch(maxWaitMs === undefined ? "/" : `/?maxWait=${maxWaitMs}`);
  if (!response.ok) throw new Error(`the Worker answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as FleetDecision;
}

/** `IN_FLIGHT` loops taking answers from `next` for `durationMs`; the answers. */
async function spend<T>(durationMs: number, next: () => Promise<T>): Promise<T[]> {
  const until = performance.now() + durationMs;
  const answers: T[] = [];
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) answers.push(await next());
    }),
  );
  return answers;
}

describe("a Worker in workerd, Node processes on ioredis and node-redis share one quota", () => {
  it("never exceed the limit in any 1000 ms on Redis's clock, and use at least 95% of it", async () => {
    // Exact on Redis's clock on every side: no arrival margin to leave slack under the limit, and
    // no grant given back for waking late on a loaded machine. The options are part of the
    // quota's shared state, so all sides use the same.
    const run = { limit: 20, windowMs: 1000, durationMs: 4000, exact: true };
    const redisUrl = inject("redisUrl");
    const prefix = randomPrefix();
    const endpoint = await startUpstashEndpoint({ redisUrl });
    const nodeRedis = await createClient({ url: redisUrl }).on("error", ignore).connect();
    const limiter = createLimiter({ redis: nodeRedis, prefix });
    let worker: RunningWorker | undefined;
    try {
      worker = await runWorker({ entry, bindings: bindingsFor(endpoint, { ...run, prefix }) });
      const inWorker = worker;
      const quota = limiter.quota("fleet", {
        limits: [slidingWindow({ limit: run.limit, window: run.windowMs })],
        ...exactOnRedisClock,
      });
      let go = (): void => {};
      const started = new Promise<void>((resolve) => {
        go = resolve;
      });
      const [processes, fromWorker, fromNodeRedis] = await Promise.all([
        runWorkers({ ...run, redisUrl, prefix, quota: "fleet", workers: 3, onGo: go }),
        started.then(() =>
          spend(run.durationMs, async () => {
            const decision = await decide(inWorker, 10_000);
            if (decision.admittedAt === null) throw new Error(`the Worker was refused: ${JSON.stringify(decision)}`);
            return decision.admittedAt;
          }),
        ),
        started.then(() => spend(run.durationMs, async () => (await quota.acquire({ maxWait: "10s" })).admittedAt)),
      ]);
      const sides = [fromWorker, fromNodeRedis, ...processes];
      const all = sides.flat();
      const summary = analyseShare(all, run.limit, run.windowMs, run.durationMs);
      console.info("serverless fleet:", { ...summary, perSide: sides.map((times) => times.length) });
      expect(summary.worstWindow).toBeLessThanOrEqual(run.limit);
      // 20 spenders for 20 slots a window, each asking again as soon as it is granted, so every
      // slot is reserved before it comes: one goes unused only when a spender takes longer than a
      // whole window to ask again. The 5% are for a machine that busy.
      expect(summary.utilisation).toBeGreaterThanOrEqual(0.95);
      // At the same time: every side was granted slots in the middle two seconds.
      const first = Math.min(...all);
      for (const times of sides) {
        expect(times.filter((t) => t >= first + 1000 && t < first + 3000).length).toBeGreaterThan(0);
      }
    } finally {
      await worker?.dispose();
      limiter.close();
      await nodeRedis.close();
      await endpoint.close();
    }
  }, 60_000);

  // A known limit, why @sluice/upstash leaves `coalesce` off by default (acquire-batcher.ts
  // #pump): with coalescing, an acquire
  // queued while another request's call is in flight is sent by that call's continuation, i.e.
  // from the other request's I/O context. workerd cancels the waiting request as hung (its own
  // context has nothing pending), and once the sending request has answered, the fetch made in
  // its context never settles: the lane's call stays in flight and every later acquire of the
  // warm isolate hangs too. Without coalescing, @upstash/redis's auto-pipelining still sends a
  // tick's decisions in one request, and all is well (the fleet above).
  it.fails("answers concurrent requests on one warm limiter, coalescing on", async () => {
    const endpoint = await startUpstashEndpoint({ redisUrl: inject("redisUrl") });
    const quota = { prefix: randomPrefix(), limit: 1000, windowMs: 1000, coalesce: true };
    const worker = await runWorker({ entry, bindings: bindingsFor(endpoint, quota) });
    try {
      const decisions = await spend(1000, () => decide(worker));
      expect(decisions.every((decision) => decision.allowed)).toBe(true);
    } finally {
      await worker.dispose();
      await endpoint.close();
    }
  }, 30_000);
});

describe("a freshly started Worker's first decision", () => {
  // A redis-server of this file's own: SCRIPT FLUSH would disturb the shared one.
  let server: RedisServer;
  let admin: Redis;
  let endpoint: UpstashEndpoint;

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
    endpoint = await startUpstashEndpoint({ redisUrl: server.url });
  });

  afterAll(async () => {
    await endpoint.close();
    admin.disconnect();
    await server.stop();
  });

  const scriptCalls = async (): Promise<{ eval: number; evalsha: number }> => {
    const stats = await admin.info("commandstats");
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    return { eval: calls("eval"), evalsha: calls("evalsha") };
  };
  const cachedScripts = async (): Promise<number> =>
    Number(/number_of_cached_scripts:(\d+)/.exec(await admin.info("memory"))?.[1]);

  /** Starts a new Worker (a cold isolate), asks it for one `tryAcquire`, and keeps it running. */
  const coldWorker = () =>
    runWorker({ entry, bindings: bindingsFor(endpoint, { prefix: randomPrefix(), limit: 100, windowMs: 1000 }) }).then(
      async (worker) => {
        endpoint.resetStats();
        const decision = await decide(worker);
        return { worker, decision, stats: structuredClone(endpoint.stats) };
      },
    );

  it("is one HTTP request, the script cached or not (an EVAL); a flush under a warm one costs two", async () => {
    await admin.script("FLUSH");
    await admin.config("RESETSTAT");
    const uncached = await coldWorker();
    await uncached.worker.dispose();
    expect(uncached.decision.allowed).toBe(true);
    expect(uncached.stats).toEqual({ requests: 1, byPath: { "/pipeline": 1 } });
    expect(await cachedScripts()).toBeGreaterThan(0);

    const cached = await coldWorker();
    try {
      expect(cached.decision.allowed).toBe(true);
      expect(cached.stats).toEqual({ requests: 1, byPath: { "/pipeline": 1 } });
      // A new client sends the source at once, cached or not: it runs and loads the script in
      // one request, where EVALSHA first would cost an uncached start a NOSCRIPT trip.
      expect(await scriptCalls()).toEqual({ eval: 2, evalsha: 0 });

      endpoint.resetStats();
      expect((await decide(cached.worker)).allowed).toBe(true);
      expect(endpoint.stats.requests).toBe(1);
      expect(await scriptCalls()).toEqual({ eval: 2, evalsha: 1 });

      await admin.script("FLUSH");
      endpoint.resetStats();
      expect((await decide(cached.worker)).allowed).toBe(true);
      expect(endpoint.stats.requests).toBe(2);
      expect(await scriptCalls()).toEqual({ eval: 3, evalsha: 2 });
    } finally {
      await cached.worker.dispose();
    }
  }, 60_000);
});
