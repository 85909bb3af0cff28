import { setTimeout as sleep } from "node:timers/promises";
import type { Limiter } from "@sluice/core";
import {
  CostExceedsCapacityError,
  concurrency,
  createMemoryLimiter,
  type Decision,
  fixedWindow,
  QuotaExceededError,
  type Rule,
  slidingWindow,
  tokenBucket,
} from "@sluice/core";
import { MemoryStore, type Store, type StoreAcquire, type StoreCall, StoreLimiter } from "@sluice/core/adapter";
import { createLimiter } from "@sluice/node";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { exactOnRedisClock } from "./support/exact.js";
import { lateStore } from "./support/late-store.js";
import { connectCluster, connectRedis, randomPrefix } from "./support/redis-clients.js";

const redis: Redis = connectRedis();
const redisLimiter = createLimiter({ redis, prefix: randomPrefix() });
const cluster = connectCluster();
const clusterLimiter = createLimiter({ redis: cluster, prefix: randomPrefix() });
// ioredis puts its keyPrefix before every key but not before channels: wake-ups must still come
const prefixedCluster = connectCluster({ keyPrefix: "app{x}:" });
const prefixedClusterLimiter = createLimiter({ redis: prefixedCluster, prefix: randomPrefix() });
afterAll(async () => {
  redisLimiter.close();
  clusterLimiter.close();
  prefixedClusterLimiter.close();
  await Promise.all([redis.quit(), cluster.quit(), prefixedCluster.quit()]);
});

describe.each([
  ["memory", () => createMemoryLimiter({ prefix: randomPrefix() })],
  ["redis", () => redisLimiter],
  ["cluster", () => clusterLimiter],
  ["cluster, ioredis keyPrefix", () => prefixedClusterLimiter],
] as Array<[string, () => Limiter]>)("Quota API on %s", (_, limiterOf) => {
  const limiter = limiterOf();
  let n = 0;
  const name = () => `api-${++n}`;

  it("acquire reserves a slot and sleeps until it once; grants come out in FIFO order", async () => {
    const q = limiter.quota(name(), { limits: [tokenBucket({ rate: 20, per: "1s", burst: 1 })], ...exactOnRedisClock });
    const started = performance.now();
    const grants = await Promise.all(Array.from({ length: 5 }, () => q.acquire({ maxWait: "2s" })));
    const elapsed = performance.now() - started;
    const slots = grants.map((g) => g.admittedAt);
    expect([...slots].sort((a, b) => a - b)).toEqual(slots.slice().sort((a, b) => a - b));
    // 5 units at 20/s with burst 1: the last slot is 200 ms after the first
    expect(Math.max(...slots) - Math.min(...slots)).toBeCloseTo(200, 0);
    expect(elapsed).toBeGreaterThanOrEqual(199);
  });

  it("a slot beyond maxWait is refused at once, with the time it would come", async () => {
    const q = limiter.quota(name(), { limits: [slidingWindow({ limit: 1, window: "10s" })] });
    await q.acquire();
    const error = await q.acquire({ maxWait: "1s" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as QuotaExceededError).retryAfterMs).toBeGreaterThan(9000);
  });

  it("a cost that can never fit is a typed error at once", async () => {
    const q = limiter.quota(name(), { limits: [tokenBucket({ rate: 5, burst: 5 })] });
    await expect(q.acquire({ cost: 6 })).rejects.toBeInstanceOf(CostExceedsCapacityError);
  });

  it("aborting before the slot gives the reservation back", async () => {
    const q = limiter.quota(name(), { limits: [slidingWindow({ limit: 1, window: "2s" })] });
    await q.acquire();
    const controller = new AbortController();
    const waiting = q.acquire({ maxWait: "5s", signal: controller.signal });
    await expect.poll(async () => (await q.state()).limits[0]?.remaining).toBe(0);
    const before = await q.state();
    controller.abort(new Error("caller gave up"));
    await expect(waiting).rejects.toThrow("caller gave up");
    // the log no longer holds the reserved slot 2 s ahead: it is free for the next caller
    const after = await q.state();
    expect(after.limits[0]?.resetAt).toBeLessThan((before.limits[0]?.resetAt ?? 0) - 1500);
  });

  it("onFirstReply sees the reserved slot before the sleep, once; if it throws, the slot is given back", async () => {
    // Exact on Redis's clock: a learning quota would give back a grant woken later than its
    // margin (a busy machine) and hand out another slot.
    const q = limiter.quota(name(), { limits: [slidingWindow({ limit: 1, window: "1s" })], ...exactOnRedisClock });
    await q.acquire();
    const replies: Decision[] = [];
    const grant = q.acquire({ onFirstReply: (decision) => replies.push(decision) });
    await expect.poll(() => replies.length).toBe(1);
    expect(replies[0]).toMatchObject({ allowed: true });
    expect(replies[0]?.admittedAt).toBeGreaterThan((replies[0]?.redisTime ?? 0) + 500);
    expect((await grant).admittedAt).toBe(replies[0]?.admittedAt);
    expect(replies).toHaveLength(1);

    const reserved = (await q.state()).limits[0]?.resetAt ?? 0;
    const failing = q.acquire({
      onFirstReply: () => {
        throw new Error("callback failed");
      },
    });
    await expect(failing).rejects.toThrow("callback failed");
    expect((await q.state()).limits[0]?.resetAt).toBe(reserved);
    await expect(q.acquire({ onFirstReply: "no" as never })).rejects.toThrow(/`onFirstReply`.*"no"/);
  });

  it("a full semaphore wakes its waiter when a slot is released, not by polling", async () => {
    const q = limiter.quota(name(), { limits: [concurrency({ limit: 1, lease: "10s" })] });
    const holder = await q.acquire();
    const waiting = q.acquire({ maxWait: "5s" });
    setTimeout(() => void q.release(holder), 100);
    const started = performance.now();
    const grant = await waiting;
    // woken by the release (~100 ms), far before the 10 s lease would expire
    expect(performance.now() - started).toBeLessThan(3000);
    await q.release(grant);
  });

  it("a dead holder's slot comes back when its lease expires", async () => {
    const q = limiter.quota(name(), { limits: [concurrency({ limit: 1, lease: "300ms" })] });
    await q.acquire(); // never released: the holder "dies"
    const started = performance.now();
    const grant = await q.acquire({ maxWait: "3s" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    await q.release(grant);
  });

  it("schedule releases the slot even when the task throws", async () => {
    const q = limiter.quota(name(), { limits: [concurrency({ limit: 1 })] });
    await expect(q.schedule(() => Promise.reject(new Error("task failed")))).rejects.toThrow("task failed");
    expect((await q.state()).limits[0]?.remaining).toBe(1);
    expect(await q.schedule(async () => "done", { maxWait: 0 })).toBe("done");
  });

  it("pause makes the next acquire wait; state reports it; reset forgets everything", async () => {
    const q = limiter.quota(name(), { limits: [tokenBucket({ rate: 100 })] });
    const until = await q.pause("300ms");
    expect((await q.state()).pausedUntil).toBe(until);
    expect((await q.tryAcquire()).blockedBy).toBe("pause");
    const grant = await q.acquire({ maxWait: "1s" });
    expect(grant.admittedAt).toBeGreaterThanOrEqual(until);
    await q.reset();
    expect((await q.state()).pausedUntil).toBeUndefined();
  });

  it("validates its options with a TypeError naming the option and the value", () => {
    const q = limiter.quota(name(), { limits: [tokenBucket({ rate: 1 })] });
    expect(() => limiter.quota("", { limits: [tokenBucket({ rate: 1 })] })).toThrow(
      "Expected `name` to be a non-empty string",
    );
    expect(() => limiter.quota("x", { limits: [] })).toThrow("Expected `limits` to be a non-empty array of rules");
    expect(() => limiter.quota("x", { limits: [tokenBucket({ rate: 1 }), tokenBucket({ rate: 1 })] })).toThrow(
      /differ/,
    );
    return Promise.all([
      expect(q.acquire({ cost: 0 })).rejects.toThrow("Expected `cost` to be an integer >= 1, got `0` (number)"),
      expect(q.acquire({ maxWait: -5 })).rejects.toThrow(/`maxWait`.*`-5`/),
    ]);
  });
});

describe("Redis specifics", () => {
  it("a window's key outlives the widest window the learned margin may reach (its cap)", async () => {
    const prefix = randomPrefix();
    const limiter = createLimiter({ redis, prefix });
    // Learning quotas start at a 25 ms margin and may reach a quarter of the window, 250 ms.
    // Lives with the cap, and with the margin alone (less the time the acquire took):
    // - exact window: 1,250 ms against 1,025;
    // - 50 ms buckets: over 1,250 against at most 1,100 (the margin rounds up to a bucket);
    // - a bucket refilling in 250 ms: 250 + a cap of 250 ms or more, against 275.
    const rules: Array<[Rule, number]> = [
      [slidingWindow({ limit: 5, window: "1s" }), 1150],
      [slidingWindow({ limit: 5000, window: "1s", precision: "bucketed", buckets: 20 }), 1175],
      [tokenBucket({ rate: 4, per: "1s", burst: 1 }), 400],
    ];
    for (const [rule, least] of rules) {
      const q = limiter.quota(`life-${rule.id}`, { limits: [rule] });
      await q.acquire();
      expect(await redis.pttl(`${prefix}:{life-${rule.id}}:${rule.id}`), rule.id).toBeGreaterThan(least);
    }
  });

  it("a named request is answered from its first decision for rememberNamed, then counted again on a log", async () => {
    const prefix = randomPrefix();
    const q = createLimiter({ redis, prefix, rememberNamed: "300ms" }).quota("retried", {
      limits: [slidingWindow({ limit: 3, window: "1h" })],
    });
    const first = await q.tryAcquire({ id: "invocation-1" });
    expect((await q.tryAcquire({ id: "invocation-1" })).redisTime).toBe(first.redisTime);
    expect(await redis.pttl(`${prefix}:{retried}:call:invocation-1`)).toBeLessThanOrEqual(300);
    await sleep(350);
    // forgotten: a retry now is a request sent again, and the log counts it beside the first
    const again = await q.tryAcquire({ id: "invocation-1" });
    expect(again).toMatchObject({ allowed: true });
    expect(again.redisTime).toBeGreaterThan(first.redisTime);
    expect((await q.state()).limits[0]?.remaining).toBe(1);
    expect(() => createLimiter({ redis, rememberNamed: "2 hours" as "2h" })).toThrow(/^Expected `rememberNamed` to be/);
  });

  it("every key a decision writes carries a TTL", async () => {
    const prefix = randomPrefix();
    const limiter = createLimiter({ redis, prefix });
    const q = limiter.quota("ttl", {
      limits: [
        tokenBucket({ rate: 5 }),
        slidingWindow({ limit: 5, window: "1s" }),
        concurrency({ limit: 2, lease: "2s" }),
      ],
    });
    await q.acquire();
    await q.pause("50ms");
    const keys = await redis.keys(`${prefix}:*`);
    // three limits, the arrival part and the pause (replies are not remembered by default)
    expect(keys).toHaveLength(5);
    for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it("a fixed window is one integer until something is reserved ahead, then a hash, and back", async () => {
    const prefix = randomPrefix();
    const window = fixedWindow({ limit: 2, window: "1h" });
    const q = createLimiter({ redis, prefix }).quota("fw", { limits: [window] });
    const key = `${prefix}:{fw}:${window.id}`;
    await q.acquire({ cost: 2 });
    expect(await redis.type(key)).toBe("string");
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    // the window is full: this acquire reserves a slot in the next hour, then gives up
    await expect(q.acquire({ maxWait: "2h", signal: AbortSignal.timeout(200) })).rejects.toThrow();
    // the abort gave the reservation back, but the state written with it stays a hash
    expect(await redis.type(key)).toBe("hash");
    expect((await q.state()).limits[0]?.remaining).toBe(0);
    await q.reset();
    await q.acquire();
    expect(await redis.type(key)).toBe("string");
    expect((await q.state()).limits[0]?.remaining).toBe(1);
  });
});

/** A memory store that records, for each acquire call, what `measure` says of its quotas. */
function countingStore(measure: (quotas: readonly StoreAcquire[]) => number): { store: Store; batches: number[] } {
  const memory = new MemoryStore();
  const batches: number[] = [];
  const store: Store = Object.assign(Object.create(memory), {
    acquire: (quotas: StoreAcquire[], call: StoreCall) => {
      batches.push(measure(quotas));
      return memory.acquire(quotas, call);
    },
  });
  return { store, batches };
}

describe("maxLateness", () => {
  it("a grant that arrives later than maxLateness after its slot is given back and asked for again", async () => {
    const { store, cancels } = lateStore([40, 0]);
    const q = new StoreLimiter(store, { prefix: randomPrefix() }).quota("late", {
      limits: [slidingWindow({ limit: 1, window: "1m" })],
      maxLateness: 10,
    });
    const grant = await q.acquire({ maxWait: "1s" });
    // the first slot's reply came 40 ms late: given back (so the one unit was free again)
    expect(cancels).toHaveLength(1);
    expect(cancels[0]).not.toBe(grant.lease);
    expect((await q.state()).limits[0]?.remaining).toBe(0);
  });

  it("onFirstReply sees only the first reply when a late grant is asked for again", async () => {
    const { store, cancels } = lateStore([40, 0]);
    const q = new StoreLimiter(store, { prefix: randomPrefix() }).quota("late", {
      limits: [slidingWindow({ limit: 1, window: "1m" })],
      maxLateness: 10,
    });
    const replies: Decision[] = [];
    const grant = await q.acquire({ maxWait: "1s", onFirstReply: (decision) => replies.push(decision) });
    // the first reply (40 ms late) was given back and asked for again; the callback saw it alone
    expect(cancels).toHaveLength(1);
    expect(grant.lease).not.toBe(cancels[0]);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.allowed).toBe(true);
  });

  it("a late grant given back is granted again at once on an exact window that still has room", async () => {
    // The second call's reply comes 40 ms late; meanwhile another process reserves the next slot.
    const { store, cancels } = lateStore([0, 40], async (memory, quotas) => {
      const { keys, rules } = quotas[0] as StoreAcquire;
      const other = { id: "other", cost: 1, maxWaitUs: 5_000_000, headroomPerMille: 0 };
      await memory.acquire([{ keys, rules, requests: [other] }], { record: true });
    });
    const q = new StoreLimiter(store, { prefix: randomPrefix() }).quota("late", {
      limits: [slidingWindow({ limit: 2, window: "1s" })],
      maxLateness: 10,
      ...exactOnRedisClock,
    });
    await q.acquire();
    let lateSlot = 0;
    const grant = await q.acquire({ maxWait: "2s", onFirstReply: (d) => (lateSlot = d.admittedAt ?? 0) });
    // given back 40 ms late, then taken again at once: the window from the first grant still has
    // room, and the other process's slot a window later keeps every window at 2 (not queued
    // behind that slot, about 1 s later)
    expect(cancels).toHaveLength(1);
    expect(grant.lease).not.toBe(cancels[0]);
    expect((grant.admittedAt as number) - lateSlot).toBeLessThan(500);
  });

  it("tryAcquire gives a late grant back and reports it denied, retryable at once", async () => {
    const { store, cancels } = lateStore([40, 0]);
    const q = new StoreLimiter(store, { prefix: randomPrefix() }).quota("late", {
      limits: [slidingWindow({ limit: 1, window: "1m" })],
      maxLateness: 10,
    });
    const late = await q.tryAcquire();
    expect(late).toMatchObject({ allowed: false, retryAfterMs: 0, admittedAt: undefined, blockedBy: undefined });
    expect(cancels).toEqual([late.lease]);
    expect((await q.tryAcquire()).allowed).toBe(true);
  });

  it("without maxLateness a late grant is used, unless it is later than a learning quota's margin", async () => {
    const limits = [slidingWindow({ limit: 1, window: "1m" })];
    const exact = lateStore([40]);
    await new StoreLimiter(exact.store, { prefix: randomPrefix() })
      .quota("late", { limits, ...exactOnRedisClock })
      .acquire();
    expect(exact.cancels).toHaveLength(0);
    // 40 ms late against the 25 ms margin it was placed with: given back, and granted again
    const learning = lateStore([40]);
    const grant = await new StoreLimiter(learning.store, { prefix: randomPrefix() })
      .quota("late", { limits })
      .acquire();
    expect(learning.cancels).toHaveLength(1);
    expect(grant.lease).not.toBe(learning.cancels[0]);
  });

  it("gives up with QuotaExceededError when no slot comes on time within maxWait", async () => {
    const { store, cancels } = lateStore([40, 40, 40, 40, 40]);
    const q = new StoreLimiter(store, { prefix: randomPrefix() }).quota("late", {
      limits: [slidingWindow({ limit: 5, window: "1m" })],
      maxLateness: 10,
    });
    await expect(q.acquire({ maxWait: 100 })).rejects.toBeInstanceOf(QuotaExceededError);
    expect(cancels.length).toBeGreaterThanOrEqual(2);
    // every late slot was given back: nothing stays spent
    expect((await q.state()).limits[0]?.remaining).toBe(5);
  });

  it("is checked like every duration option", () => {
    expect(() => createMemoryLimiter().quota("x", { limits: [tokenBucket({ rate: 1 })], maxLateness: -1 })).toThrow(
      /`maxLateness`.*`-1`/,
    );
  });
});

describe("sleeping to a slot", () => {
  it("wakes at the slot on this process's clock, not at the reply plus the wait", async () => {
    // The second reply comes 200 ms after the store decided a slot 300 ms ahead.
    const { store } = lateStore([0, 200]);
    const q = new StoreLimiter(store, { prefix: randomPrefix() }).quota("slot", {
      limits: [slidingWindow({ limit: 1, window: 300 })],
    });
    await q.acquire();
    const asked = performance.now();
    const grant = await q.acquire();
    const tookMs = performance.now() - asked;
    expect(grant.admittedAt - grant.redisTime).toBeGreaterThan(290);
    // Aiming at the reply plus the wait would take 500 ms.
    expect(tookMs).toBeGreaterThanOrEqual(grant.admittedAt - grant.redisTime - 1);
    expect(tookMs).toBeLessThan(420);
  });
});

describe("coalescing", () => {
  it("decides concurrent acquires of one process in two store calls at most, still exactly", async () => {
    const { store: counting, batches } = countingStore((quotas) => quotas.reduce((n, q) => n + q.requests.length, 0));
    const q = new StoreLimiter(counting, { prefix: randomPrefix() }).quota("hot", {
      limits: [slidingWindow({ limit: 50, window: "1m" })],
    });
    const decisions = await Promise.all(Array.from({ length: 200 }, () => q.tryAcquire()));
    // Two calls in flight at most, sharing the queue
    expect(batches).toEqual([100, 100]);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
    expect(decisions.slice(0, 50).every((d) => d.allowed)).toBe(true);
  });

  it("decides acquires on many distinct quotas in few store calls", async () => {
    const { store: counting, batches } = countingStore((quotas) => quotas.length);
    const limiter = new StoreLimiter(counting, { prefix: randomPrefix() });
    const limits = [tokenBucket({ rate: 1, burst: 1 })];
    const quotas = Array.from({ length: 64 }, (_, i) => limiter.quota(`user-${i}`, { limits }));
    const first = await Promise.all(quotas.map((q) => q.tryAcquire()));
    const second = await Promise.all(quotas.map((q) => q.tryAcquire()));
    expect(batches).toEqual([32, 32, 32, 32]);
    expect(first.every((d) => d.allowed)).toBe(true);
    expect(second.some((d) => d.allowed)).toBe(false);
  });

  it("decides acquires through a new Quota object per request as one quota, in order", async () => {
    const { store: counting, batches } = countingStore((quotas) => quotas.length);
    const limiter = new StoreLimiter(counting, { prefix: randomPrefix() });
    const limits = [tokenBucket({ rate: 1, burst: 3 })];
    const decisions = await Promise.all(
      Array.from({ length: 5 }, () => limiter.quota("shared", { limits, ...exactOnRedisClock }).tryAcquire()),
    );
    // two calls in flight (3 then 2 acquires), each with ONE quota, not one per Quota object
    expect(batches).toEqual([1, 1]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
  });

  it("a limits array changed after a quota was made gives the next quota the new rules", () => {
    const limiter = createMemoryLimiter();
    const limits: Rule[] = [tokenBucket({ rate: 1 })];
    expect(limiter.quota("a", { limits }).rules).toHaveLength(1);
    limits.push(slidingWindow({ limit: 5, window: "1s" }));
    expect(limiter.quota("b", { limits }).rules).toHaveLength(2);
    limits.push(limits[0] as Rule);
    expect(() => limiter.quota("c", { limits })).toThrow(/limits/);
  });

  it("can be turned off", async () => {
    const { store: counting, batches } = countingStore((quotas) => quotas.reduce((n, q) => n + q.requests.length, 0));
    const q = new StoreLimiter(counting, { prefix: randomPrefix(), coalesce: false }).quota("hot", {
      limits: [tokenBucket({ rate: 5 })],
    });
    await Promise.all(Array.from({ length: 4 }, () => q.tryAcquire()));
    expect(batches).toEqual([1, 1, 1, 1]);
  });
});

describe("event history", () => {
  it("keeps the newest events of a quota with a TTL, and reset forgets them", async () => {
    const prefix = randomPrefix();
    const q = createLimiter({ redis, prefix }).quota("noted", { limits: [tokenBucket({ rate: 1 })] });
    for (let i = 0; i < 60; i++) await q.note({ type: "rate-limited", status: 429, i });
    const key = `${prefix}:{noted}:events`;
    expect(await redis.llen(key)).toBe(50);
    expect(JSON.parse((await redis.lindex(key, 0)) as string)).toMatchObject({ type: "rate-limited", i: 59 });
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    await q.reset();
    expect(await redis.exists(key)).toBe(0);
  });
});

describe("coalescing on the Cluster", () => {
  it("splits one tick of acquires on many quotas into one call per slot, never cross-slot", async () => {
    const limiter = createLimiter({ redis: cluster, prefix: randomPrefix() });
    const limits = [tokenBucket({ rate: 1, burst: 1 })];
    const quotas = Array.from({ length: 200 }, (_, i) => limiter.quota(`tenant-${i}`, { limits }));
    const first = await Promise.all(quotas.map((q) => q.tryAcquire()));
    const second = await Promise.all(quotas.map((q) => q.tryAcquire()));
    expect(first.every((d) => d.allowed)).toBe(true);
    expect(second.some((d) => d.allowed)).toBe(false);
  });
});

describe("tighten", () => {
  it.each([
    ["memory", () => createMemoryLimiter({ prefix: randomPrefix() })],
    ["redis", () => createLimiter({ redis, prefix: randomPrefix() })],
  ] as Array<[string, () => Limiter]>)(
    "spends down to the server's figure, once, never loosening (%s)",
    async (_, make) => {
      const limiter = make();
      const window = slidingWindow({ limit: 10, window: "1m" });
      const bucket = tokenBucket({ rate: 10, per: "1m", burst: 10 });
      const q = limiter.quota("tight", { limits: [window, bucket] });
      await q.acquire({ cost: 2 });
      // the server says 3 remain: another client spent 5 units we did not see
      expect(await q.tighten(window, 3)).toBe(5);
      expect(await q.tighten(window, 3)).toBe(0);
      expect(await q.tighten(window, 9)).toBe(0);
      expect(await q.tighten(bucket, 0)).toBe(8);
      const state = await q.state();
      expect(state.limits.map((l) => l.remaining)).toEqual([3, 0]);
      await expect(q.tighten(concurrency({ limit: 1 }), 0)).rejects.toThrow(/`rule` to be a rate limit of this quota/);
    },
  );
});

describe("named rules", () => {
  it("two endpoints with equal limits share one quota and keep separate state", async () => {
    const limiter = createMemoryLimiter({ prefix: randomPrefix() });
    const app = fixedWindow({ limit: 100, window: "1h" });
    const info = slidingWindow({ limit: 2, window: "1m", name: "user-info" });
    const list = slidingWindow({ limit: 2, window: "1m", name: "video-list" });
    const infoQuota = limiter.quota("tiktok", { limits: [app, info] });
    const listQuota = limiter.quota("tiktok", { limits: [app, list] });
    for (let i = 0; i < 2; i++) expect((await infoQuota.tryAcquire()).allowed).toBe(true);
    expect((await infoQuota.tryAcquire()).allowed).toBe(false);
    expect((await listQuota.tryAcquire()).allowed).toBe(true);
    expect((await listQuota.state()).limits[0]?.remaining).toBe(97);
  });
});

describe("priority option", () => {
  it("accepts only the three priorities", async () => {
    const q = createMemoryLimiter({ prefix: randomPrefix() }).quota("p", {
      limits: [tokenBucket({ rate: 10 })],
      headroom: 0.2,
    });
    await expect(q.tryAcquire({ priority: "toString" as never })).rejects.toThrow(
      'Expected `priority` to be "high", "normal" or "low", got `"toString"` (string)',
    );
    expect((await q.tryAcquire({ priority: "low" })).allowed).toBe(true);
  });
});
