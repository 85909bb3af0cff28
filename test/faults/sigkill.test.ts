import { concurrency, createLimiter } from "@sluice/node";
import { afterAll, describe, expect, it } from "vitest";
import { isRunning } from "../support/processes.js";
import { connectRedis, randomPrefix } from "../support/redis-clients.js";
import { Worker } from "./support/workers.js";

// A child process (tsx) takes every slot of concurrency(3, lease) and is SIGKILLed while
// holding them: no release ever comes, only the leases' expiry frees the slots.
const LEASE_MS = 1500;
const SLACK_MS = 400;

const redis = connectRedis();
afterAll(() => redis.quit());

describe("a worker killed with SIGKILL while holding concurrency leases", () => {
  it("its slots come back within the lease; no waiter blocks longer than that", async () => {
    const prefix = randomPrefix();
    const holder = Worker.spawn({
      MODE: "hold",
      PREFIX: prefix,
      REDIS_URL: `redis://${redis.options.host}:${redis.options.port}`,
      QUOTA: "leases",
      LIMIT: "3",
      LEASE_MS: String(LEASE_MS),
      HOLD: "3",
    });
    try {
      const { held, pid } = (await holder.line((l) => Array.isArray(l.held))) as { held: string[]; pid: number };
      expect(held).toHaveLength(3);
      const limiter = createLimiter({ redis, prefix });
      const quota = limiter.quota("leases", { limits: [concurrency({ limit: 3, lease: LEASE_MS })] });
      expect(await quota.tryAcquire()).toMatchObject({ allowed: false });

      const killedAt = performance.now();
      holder.kill();
      expect((await holder.exited).signal).toBe("SIGKILL");
      // The process that holds the leases is the one killed (not a wrapper around it).
      expect(isRunning(pid)).toBe(false);
      // Three waiters for the three dead slots.
      const waits = Array.from({ length: 3 }, () =>
        quota.acquire({ maxWait: LEASE_MS + SLACK_MS }).then((grant) => ({ grant, ms: performance.now() - killedAt })),
      );
      const results = await Promise.all(waits);
      const worst = Math.max(...results.map((r) => r.ms));
      console.info(
        `[fault] SIGKILL: slots back after ${results.map((r) => Math.round(r.ms)).join(", ")} ms (lease ${LEASE_MS})`,
      );
      expect(worst).toBeLessThan(LEASE_MS + SLACK_MS);
      expect((await quota.tryAcquire()).allowed).toBe(false);
      await Promise.all(results.map((r) => quota.release(r.grant)));
      expect((await quota.state()).limits[0]?.remaining).toBe(3);
    } finally {
      holder.kill();
    }
  });
});
