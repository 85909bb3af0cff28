import { quotaKeys } from "@sluice/core";
import { createLimiter, isStoreUnavailableError, slidingWindow, tokenBucket } from "@sluice/node";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisCluster, startRedisCluster } from "../../scripts/redis-servers.js";
import { randomPrefix } from "../support/redis-clients.js";
import { redisPid } from "./support/redis-process.js";

// A Cluster of this file's own: 3 masters, 3 replicas (cluster-node-timeout 2000 ms).
let cluster: RedisCluster;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  client = new Cluster(cluster.nodes);
  client.on("error", () => {});
}, 60_000);

afterAll(async () => {
  client.disconnect();
  await cluster.stop();
});

const nodeAt = (port: number): Redis => new Redis({ host: "127.0.0.1", port, lazyConnect: false });

interface Call {
  readonly quota: number;
  readonly t: number;
  readonly ok: boolean;
  readonly error?: unknown;
}

/** Runs `loops` callers over `quotas` until `stop()` resolves; records every call. */
function load(run: (quota: number) => Promise<unknown>, quotas: number, loops: number, stop: Promise<void>) {
  const calls: Call[] = [];
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const loop = async (i: number): Promise<void> => {
    for (let n = i; !stopped; n += loops) {
      const quota = n % quotas;
      try {
        await run(quota);
        calls.push({ quota, t: performance.now(), ok: true });
      } catch (error) {
        calls.push({ quota, t: performance.now(), ok: false, error });
      }
    }
  };
  return { calls, done: Promise.all(Array.from({ length: loops }, (_, i) => loop(i))) };
}

const signal = (): { promise: Promise<void>; fire: () => void } => {
  let fire = () => {};
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
};

describe("Cluster: slot migration and failover under load", () => {
  it("ASK/MOVED during a slot migration: no error reaches callers, the limit holds", async () => {
    const prefix = randomPrefix();
    const limiter = createLimiter({ redis: client, prefix, timeout: 2000 });
    const rules = [tokenBucket({ rate: 1_000_000, burst: 1000 }), slidingWindow({ limit: 300, window: "1h" })];
    const quota = limiter.quota("migrating", { limits: rules });
    await quota.state();
    const keys = quotaKeys(prefix, "migrating", rules);
    const slot = Number(await client.cluster("KEYSLOT", keys.limits[0] as string));
    const slots = (await client.cluster("SLOTS")) as Array<[number, number, [string, number, string]]>;
    const owner = slots.find(([from, to]) => slot >= from && slot <= to)?.[2] as [string, number, string];
    const target = slots.find(([, , master]) => master[1] !== owner[1])?.[2] as [string, number, string];
    const source = nodeAt(owner[1]);
    const destination = nodeAt(target[1]);

    const stop = signal();
    const run = load(() => quota.tryAcquire(), 1, 4, stop.promise);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await destination.cluster("SETSLOT", slot, "IMPORTING", owner[2]);
      await source.cluster("SETSLOT", slot, "MIGRATING", target[2]);
      for (;;) {
        const inSlot = (await source.cluster("GETKEYSINSLOT", slot, 100)) as string[];
        if (inSlot.length === 0) break;
        await source.migrate("127.0.0.1", target[1], "", 0, 5000, "KEYS", ...inSlot);
        // Traffic keeps hitting the half-moved slot (ASK, TRYAGAIN) for a moment.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const node of cluster.nodes) {
        const each = nodeAt(node.port);
        await each.cluster("SETSLOT", slot, "NODE", target[2]).catch(() => {});
        each.disconnect();
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      stop.fire();
      await run.done;
      source.disconnect();
      destination.disconnect();
    }
    const errors = run.calls.filter((c) => !c.ok).map((c) => String(c.error));
    const admitted = (await Promise.all([quota.state()]))[0].limits[1]?.remaining;
    console.info(
      "[fault] slot migration:",
      JSON.stringify({ calls: run.calls.length, errors: errors.length, firstErrors: errors.slice(0, 3), slot }),
    );
    expect(errors).toEqual([]);
    expect(run.calls.length).toBeGreaterThan(50);
    // Every admission of the sliding window landed in one place: at most 300, the rest denied.
    expect(admitted).toBe(Math.max(0, 300 - run.calls.length));
  }, 30_000);

  it("a master SIGKILLed, its replica promoted: traffic resumes; the error window is measured", async () => {
    const limiter = createLimiter({ redis: client, prefix: randomPrefix(), timeout: 500 });
    const names = Array.from({ length: 24 }, (_, i) => `q${i}`);
    const quotas = names.map((name) =>
      limiter.quota(name, { limits: [tokenBucket({ rate: 1_000_000, burst: 1000 })] }),
    );
    await Promise.all(quotas.map((q) => q.state()));
    const slots = (await client.cluster("SLOTS")) as Array<[number, number, [string, number, string]]>;
    const victimPort = (slots[0] as [number, number, [string, number, string]])[2][1];
    const pid = await redisPid(victimPort);

    const stop = signal();
    const run = load((i) => (quotas[i] as (typeof quotas)[number]).tryAcquire(), quotas.length, 12, stop.promise);
    let killedAt = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      killedAt = performance.now();
      // This test started the Cluster, so this pid is its own child.
      process.kill(pid, "SIGKILL");
      const deadline = killedAt + 25_000;
      // Resumed: errors seen, then 1.5 s without one in which every quota succeeded.
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const now = performance.now();
        const lastError = Math.max(0, ...run.calls.filter((c) => !c.ok).map((c) => c.t));
        const recent = new Set(run.calls.filter((c) => c.ok && c.t > lastError).map((c) => c.quota));
        if (lastError > 0 && now - lastError > 1500 && recent.size === quotas.length) break;
        if (now > deadline) break;
      }
    } finally {
      stop.fire();
      await run.done;
    }
    const failures = run.calls.filter((c) => !c.ok);
    const firstError = Math.min(...failures.map((c) => c.t));
    const lastError = Math.max(...failures.map((c) => c.t));
    const hit = new Set(failures.map((c) => c.quota));
    const summary = {
      calls: run.calls.length,
      failures: failures.length,
      quotasHit: hit.size,
      firstErrorAfterKillMs: Math.round(firstError - killedAt),
      errorWindowMs: Math.round(lastError - firstError),
      resumedAfterKillMs: Math.round(lastError - killedAt),
      kinds: [...new Set(failures.map((c) => (c.error as Error).message.slice(0, 120)))],
    };
    console.info("[fault] failover:", JSON.stringify(summary));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((c) => isStoreUnavailableError(c.error))).toBe(true);
    // Only quotas whose slot lived on the killed master fail; the others never notice.
    expect(hit.size).toBeLessThan(quotas.length);
    // cluster-node-timeout 2000 ms, then the replica's election; a stuck client fails here.
    expect(lastError - killedAt).toBeLessThan(15_000);
    const after = await Promise.all(quotas.map((q) => q.tryAcquire()));
    expect(after.every((d) => d.allowed)).toBe(true);
  }, 60_000);
});
