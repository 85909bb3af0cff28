import { quotaKeys } from "@sluice/core/adapter";
import {
  concurrency,
  createLimiter,
  fixedWindow,
  type StoreFailureEvent,
  slidingWindow,
  tokenBucket,
} from "@sluice/node";
import type { Redis } from "ioredis";

/** Polls `admin` (a separate, unrestricted connection) until `ready` holds: no sleep-and-hope. */
async function until(ready: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!(await ready())) {
    if (performance.now() > deadline) throw new Error("condition not reached within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Every operation Sluice offers, on every rule kind, through `redis`: acquire, tryAcquire, a
 * reservation given back (cancel), release, pause, state, reset, note, and a concurrency
 * wait woken by a release (pub/sub). Resolves to the store failures seen; [] when all worked.
 */
export async function fullWorkload(redis: Redis, prefix: string, admin: Redis): Promise<string[]> {
  const failures: string[] = [];
  const limiter = createLimiter({
    redis,
    prefix,
    timeout: 2000,
    onEvent: (event: StoreFailureEvent) => failures.push(`${event.operation}: ${event.error.message}`),
  });
  try {
    const rules = [
      tokenBucket({ rate: 1, per: "1m", burst: 3 }),
      slidingWindow({ limit: 3, window: "1m" }),
      slidingWindow({ limit: 3000, window: "1m", precision: "bucketed" }),
      fixedWindow({ limit: 3, window: "1m" }),
    ];
    for (const rule of rules) await limiter.quota(`one-${rule.id}`, { limits: [rule] }).tryAcquire();
    const mixedRules = [...rules, concurrency({ limit: 1, lease: "1m" })];
    // Exact on Redis's clock, so the counts below are the limits' own (the quotas above use the
    // defaults, so the arrival part's commands run too).
    const mixed = limiter.quota("mixed", { limits: mixedRules, arrivalMargin: 0, pacing: false });
    const keys = quotaKeys(prefix, "mixed", mixedRules).limits;
    const grant = await mixed.acquire();
    // A full semaphore: the waiter subscribes, the release publishes and wakes it.
    const waiter = mixed.acquire({ maxWait: 5000 });
    waiter.catch(() => {});
    await until(async () => {
      const [, listeners] = (await admin.pubsub("NUMSUB", keys[4] as string)) as [string, number];
      return listeners > 0;
    });
    await mixed.release(grant);
    const second = await waiter;
    await mixed.release(second);
    await mixed.tryAcquire().then((d) => mixed.release(d));
    // Windows full: the next acquire reserves ahead; aborting gives it back (cancel).
    const controller = new AbortController();
    const reserved = mixed.acquire({ maxWait: "10m", signal: controller.signal });
    // Handled at once: under a user lacking a command the reservation itself can fail early.
    reserved.catch(() => {});
    // Reserved once the exact window's log holds a fourth entry (three admitted before).
    await until(async () => (await admin.zcard(keys[1] as string)) === 4);
    controller.abort();
    await reserved.catch(() => {});
    await mixed.pause("1ms");
    await mixed.state();
    if ("note" in mixed && typeof mixed.note === "function") await mixed.note({ type: "acl-check" });
    await mixed.reset();
  } catch (error) {
    failures.push(`thrown: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    limiter.close();
  }
  return failures;
}
