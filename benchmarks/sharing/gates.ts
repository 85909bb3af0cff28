import { createLimiter, slidingWindow } from "@sluice/node";
import PQueue from "p-queue";
import { RateLimiterQueue, RateLimiterRedis } from "rate-limiter-flexible";
import { bottleneckLimiter } from "../contenders/bottleneck.js";
import { upstashLimiter } from "../contenders/upstash.js";
import { DEFAULT_SLUICE_PREFIX } from "./learned-arrival.js";
import { documentedRule } from "./server-limits.js";
import type { ClientContext } from "./share-client.js";

/**
 * A limiter that only says when a process may send: the benchmark sends, and retries a 429
 * through the gate again (`gated-client.ts`).
 */
export interface Gate {
  /**
   * Resolves when this process may send its next request to the shared API: to the slot's time
   * on the limiter's own clock (epoch ms) when the limiter reports one, else undefined.
   */
  next(): Promise<number | undefined>;
  /** Stops what the limiter keeps running (Bottleneck's subscription and heartbeat). */
  close(): Promise<void>;
}

const gate = (next: Gate["next"], close: Gate["close"] = async () => {}): Gate => ({ next, close });

export const gateContenders = [
  "Sluice default (acquire, no feedback)",
  "Sluice sliding window, 50 ms arrival margin",
  "Sluice sliding window, 30 ms margin, paced 1 ms",
  "rate-limiter-flexible RateLimiterQueue",
  "bottleneck clustering (minTime)",
  "@upstash/ratelimit sliding window",
  "per process: semaphore + sleep(1/rate)",
  "per process: p-queue interval/intervalCap",
] as const;

export type GateContender = (typeof gateContenders)[number];

// The recipes of a time before the quota learned its own margin: the library must add nothing.
const noArrivalPart = { arrivalMargin: 0, pacing: false } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The gate of one contender, warmed up as `clientFor` says. */
export async function gateFor(contender: GateContender, context: ClientContext): Promise<Gate> {
  const { redis, quota, kind, limit, windowMs, processes } = context;
  switch (contender) {
    case "Sluice default (acquire, no feedback)": {
      // The engine API with its defaults (a learning margin and pacing), used as before the quota
      // could learn: nothing reports the answers, so no 429 teaches it anything.
      const limiter = createLimiter({ redis, prefix: DEFAULT_SLUICE_PREFIX });
      const shared = limiter.quota(quota, { limits: [documentedRule(kind, limit, windowMs)] });
      await shared.state();
      return gate(async () => (await shared.acquire({ maxWait: "1m" })).admittedAt);
    }
    case "Sluice sliding window, 50 ms arrival margin": {
      // The documented recipe against a server that counts arrivals: no grant is used more than
      // 20 ms after its slot (maxLateness), and the window is 50 ms longer than the server's
      // (that lateness plus 30 ms of jitter between sending and arriving).
      const limiter = createLimiter({ redis, prefix: "share-margin" });
      const rule = slidingWindow({ limit, window: windowMs + 50 });
      const shared = limiter.quota(quota, { limits: [rule], maxLateness: 20, ...noArrivalPart });
      await shared.state();
      return gate(async () => (await shared.acquire({ maxWait: "1m" })).admittedAt);
    }
    case "Sluice sliding window, 30 ms margin, paced 1 ms": {
      // A tighter variant of the recipe: 30 ms of margin, and a second window of one request per
      // ms that paces the slots, so a window's worth of requests does not fall due at one instant
      // (processes all waking at once make the last of them late). Both are exact sliding
      // windows, so a slot a late grant gives back can be taken again at once where it fits.
      const limiter = createLimiter({ redis, prefix: "share-paced" });
      const rules = [slidingWindow({ limit, window: windowMs + 30 }), slidingWindow({ limit: 1, window: 1 })];
      const shared = limiter.quota(quota, { limits: rules, maxLateness: 20, ...noArrivalPart });
      await shared.state();
      return gate(async () => (await shared.acquire({ maxWait: "1m" })).admittedAt);
    }
    case "rate-limiter-flexible RateLimiterQueue": {
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: "share-rlf",
        points: limit,
        duration: windowMs / 1000,
      });
      const queue = new RateLimiterQueue(limiter, { maxQueueSize: 100_000 });
      await limiter.get(quota);
      return gate(async () => {
        await queue.removeTokens(1, quota);
        return undefined;
      });
    }
    case "bottleneck clustering (minTime)": {
      const { limiter, connection } = await bottleneckLimiter(redis, `share:${quota}`, {
        maxConcurrent: null,
        minTime: Math.ceil(windowMs / limit),
      });
      return gate(
        async () => {
          await limiter.schedule(async () => undefined);
          return undefined;
        },
        // Bottleneck closes the client it was given along with its own subscriber.
        () => connection.disconnect(false),
      );
    }
    case "@upstash/ratelimit sliding window": {
      const { ratelimit, identifier } = upstashLimiter(redis, "single", "sliding window", "share-up", limit, windowMs);
      await ratelimit.getRemaining(identifier(quota));
      return gate(async () => {
        const { success } = await ratelimit.blockUntilReady(identifier(quota), 60_000);
        if (!success) throw new Error("@upstash/ratelimit: no slot within 60 s");
        return undefined;
      });
    }
    case "per process: semaphore + sleep(1/rate)": {
      // The seed pattern: each process spaces its own requests at the quota's rate, blind to the others.
      let turn: Promise<unknown> = Promise.resolve();
      return gate(async () => {
        const mine = turn.then(() => sleep(windowMs / limit));
        turn = mine;
        await mine;
        return undefined;
      });
    }
    case "per process: p-queue interval/intervalCap": {
      const queue = new PQueue({ interval: windowMs, intervalCap: Math.max(1, Math.floor(limit / processes)) });
      return gate(async () => {
        await queue.add(async () => undefined);
        return undefined;
      });
    }
  }
}
