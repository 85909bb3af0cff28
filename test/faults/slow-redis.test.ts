import { quotaKeys } from "@sluice/core/adapter";
import { concurrency, createLimiter, StoreUnavailableError, slidingWindow } from "@sluice/node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomPrefix } from "../support/redis-clients.js";
import { OwnRedis } from "./support/redis-process.js";
import { TcpProxy } from "./support/tcp-proxy.js";

// Client -> TCP proxy -> real redis-server. The proxy delays every chunk or stalls the
// connection (holds the bytes, as a partitioned network does), then lets it through.
const TIMEOUT_MS = 150;
const SLACK_MS = 250;
const LIMIT = 30;

let server: OwnRedis;
let proxy: TcpProxy;
let viaProxy: Redis;
let direct: Redis;

beforeAll(async () => {
  server = await OwnRedis.start();
  proxy = await TcpProxy.start({ host: "127.0.0.1", port: server.port });
  viaProxy = new Redis(proxy.url);
  viaProxy.on("error", () => {});
  direct = new Redis(server.url);
});

afterAll(async () => {
  viaProxy.disconnect();
  direct.disconnect();
  await proxy.close();
  await server.stop();
});

async function settleTimes(calls: Array<Promise<unknown>>): Promise<{ worstMs: number; errors: unknown[] }> {
  const started = performance.now();
  let worstMs = 0;
  const errors: unknown[] = [];
  await Promise.all(
    calls.map((call) =>
      call.then(
        () => {
          worstMs = Math.max(worstMs, performance.now() - started);
        },
        (error: unknown) => {
          worstMs = Math.max(worstMs, performance.now() - started);
          errors.push(error);
        },
      ),
    ),
  );
  return { worstMs, errors };
}

/** A call outside the timed fault, retried should the busy machine make it slower than 150 ms. */
async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || attempt === 20) throw error;
    }
  }
}

describe.each(["delay", "stall"] as const)("a %s Redis (failMode closed)", (fault) => {
  it("every call fails within the timeout; afterwards Redis never holds more than the limit", async () => {
    const prefix = randomPrefix();
    const rule = slidingWindow({ limit: LIMIT, window: "30s" });
    const limiter = createLimiter({ redis: viaProxy, prefix, timeout: TIMEOUT_MS, coalesce: false });
    const quota = limiter.quota("slow", { limits: [rule] });
    // The steps before and after the fault are not what is timed: on a busy machine a call
    // through the proxy may take longer than 150 ms there, so they use a patient limiter.
    const patient = createLimiter({ redis: viaProxy, prefix, timeout: 10_000, coalesce: false });
    const same = patient.quota("slow", { limits: [rule] });
    const [key] = quotaKeys(prefix, "slow", [rule]).limits as [string];
    await same.state();
    // The limiter under test puts its calls' deadlines on Redis's clock, learned from a reply:
    // it needs one first.
    await patiently(() => quota.state());

    if (fault === "delay") proxy.delayMs = 4 * TIMEOUT_MS;
    else proxy.stall();
    const during = await settleTimes(Array.from({ length: 10 }, () => quota.tryAcquire()));
    expect(during.errors).toHaveLength(10);
    for (const error of during.errors) expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(during.worstMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);

    // The held or delayed commands reach Redis now, after their callers were told "unavailable".
    proxy.delayMs = 0;
    proxy.resume();
    await proxy.drained();
    await same.state();
    const phantoms = await direct.zcard(key);

    const decisions = await Promise.all(Array.from({ length: 2 * LIMIT }, () => same.tryAcquire()));
    const admitted = decisions.filter((d) => d.allowed).length;
    const recorded = await direct.zcard(key);
    console.info(
      `[fault] ${fault}:`,
      JSON.stringify({ worstMs: Math.round(during.worstMs), phantoms, admitted, recorded }),
    );
    // No over-admission: callers got at most what Redis recorded, Redis recorded at most the limit.
    expect(recorded).toBe(LIMIT);
    expect(admitted).toBe(LIMIT - phantoms);
    // The timed-out calls reached Redis after their deadline and admitted nothing.
    expect(phantoms).toBe(0);
    await Promise.all([limiter.close(), patient.close()]);
  });
});

describe("a call that timed out", () => {
  // A call that failed with StoreUnavailableError ("not admitted") may still reach Redis once
  // the network lets it through; its deadline (on Redis's clock) makes the script admit nothing,
  // so no lease is left taken for a caller that gave up.
  it("takes no concurrency slot when it reaches Redis late", async () => {
    const limiter = createLimiter({ redis: viaProxy, prefix: randomPrefix(), timeout: TIMEOUT_MS });
    const slots = limiter.quota("late", { limits: [concurrency({ limit: 1, lease: "60s" })] });
    await patiently(() => slots.state());
    proxy.stall();
    await expect(slots.tryAcquire()).rejects.toBeInstanceOf(StoreUnavailableError);
    proxy.resume();
    // Nobody was granted the slot, so it must be free.
    expect(await patiently(() => slots.tryAcquire())).toMatchObject({ allowed: true });
  });
});
