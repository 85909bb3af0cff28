import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { acquireScript, allScripts } from "@sluice/core/adapter";
import { afterAll, describe, expect, it } from "vitest";
import { connectRedis, randomPrefix } from "./support/redis-clients.js";

const redis = connectRedis();
afterAll(() => redis.quit());

describe("embedded scripts", () => {
  it.each(allScripts.map((s) => [s.name, s] as const))("%s: sha1 matches SCRIPT LOAD", async (_, script) => {
    expect(await redis.script("LOAD", script.source)).toBe(script.sha1);
  });

  it("the generated module is up to date with lua/", () => {
    const file = "packages/core/src/generated/scripts.ts";
    const committed = readFileSync(file, "utf8");
    execFileSync("node_modules/.bin/tsx", ["scripts/build-lua.ts"], { stdio: "ignore" });
    expect(readFileSync(file, "utf8")).toBe(committed);
  });

  it("malformed ARGV is an error reply and leaves state untouched", async () => {
    const key = `${randomPrefix()}:{q}:tb`;
    const call = (...argv: string[]) =>
      redis.eval(acquireScript.source, 3, `${key}:call`, `${key}:pause`, key, ...argv);
    // ARGV: now, record, remember, deadline, rule set count, per set: limit count and (kind, a, b, c) per limit,
    // then quota count, per run of quotas: its length, rule set, request count, cost, maxWait, reserve
    // (a token bucket keeps no request ids, so none is sent)
    const set = (...limit: string[]) => ["1", "1", ...limit];
    const tb = set("tb", "100000", "2", "0");
    const one = (cost: string) => ["1", "1", "1", "1", cost, "0", "0"];
    await call("", "1", "0", "", ...tb, ...one("1"));
    const before = await redis.get(key);
    await expect(call("", "1", "0", "", ...tb, ...one("-1"))).rejects.toThrow(/cost must be an integer >= 0/);
    await expect(call("", "1", "0", "", ...set("tb", "NaN", "2", "0"), ...one("1"))).rejects.toThrow(
      /interval must be an integer >= 1/,
    );
    await expect(call("", "1", "0", "", ...set("zz", "1", "2", "0"), ...one("1"))).rejects.toThrow(
      /unknown limit kind 'zz'/,
    );
    await expect(call("", "1", "0", "", ...tb, ...one("3"))).rejects.toThrow(/cost 3 exceeds the capacity 2/);
    await expect(call("", "1", "0", "", ...set("tb", "100000"))).rejects.toThrow(/expected 4 ARGV per limit/);
    await expect(call("", "1", "0", "", ...tb, "1", "1", "1", "0", "1", "0", "0")).rejects.toThrow(
      /request count must be an integer >= 1/,
    );
    await expect(call("", "1", "0", "", ...tb, "1", "1", "7", "1", "1", "0", "0")).rejects.toThrow(
      /rule set 7 is not defined/,
    );
    await expect(call("", "1", "0", "", ...tb, "1", "1", "x", "1", "1", "0", "0")).rejects.toThrow(
      /rule set must be an integer/,
    );
    await expect(call("", "1", "0", "", ...tb, "2", "1", "1", "1", "1", "0", "0")).rejects.toThrow(
      /expected 6 ARGV per run of quotas/,
    );
    // malformed counts cannot make a short call do unbounded work
    await expect(call("", "1", "0", "", ...tb, "1000000000", "1000000000", "1", "1", "1", "0", "0")).rejects.toThrow(
      /needs more KEYS than given/,
    );
    await expect(call("", "1", "0", "", ...tb, "1", "1", "1", "1000000000", "1", "0", "0")).rejects.toThrow(
      /at most 100000 requests/,
    );
    await expect(call("", "1", "0", "", ...tb, "1", "1", "1", "1", "2", "0", "500")).rejects.toThrow(
      /headroom 1 can never fit/,
    );
    await expect(call("", "1", "0", "", ...tb, "1", "2", "1", "1", "1", "0", "0")).rejects.toThrow(
      /runs give more quotas than the count 1/,
    );
    await expect(call("", "1", "0", "1", ...tb, ...one("1"))).rejects.toThrow(/after its deadline/);
    // a valid request next to a malformed one: the whole call is refused, nothing written
    await expect(
      call("", "1", "0", "", ...tb, "2", "1", "1", "1", "1", "0", "0", "1", "1", "1", "0", "0", "0"),
    ).rejects.toThrow(/needs a cost >= 1/);
    expect(await redis.get(key)).toBe(before);
  });
});

describe("integer arguments the scripts pass to Redis", () => {
  // Redis 7.2.0-7.2.4 print a Lua number with 7+ trailing zeros as "1e+07" (redis/redis#13113):
  // the scripts send such numbers as exact text. A bucket of 1 per 10,000 s has a TTL of
  // exactly 10,000,000 ms after its first admission.
  it("a TTL of 10,000,000 ms is set exactly", async () => {
    const { createLimiter, tokenBucket } = await import("@sluice/node");
    const prefix = randomPrefix();
    // Exact on Redis's clock: an arrival margin would keep the key that much longer.
    const quota = createLimiter({ redis, prefix }).quota("long", {
      limits: [tokenBucket({ rate: 1, per: "10000s", burst: 1 })],
      arrivalMargin: 0,
      pacing: false,
    });
    expect((await quota.tryAcquire()).allowed).toBe(true);
    const [key] = await redis.keys(`${prefix}:*tb*`);
    const ttl = await redis.pttl(key as string);
    expect(ttl).toBeGreaterThan(9_999_000);
    expect(ttl).toBeLessThanOrEqual(10_000_000);
  });

  // Tests inject time while Redis expires keys on its real clock, which a busy machine moves on
  // faster than the injected steps: under an injected clock a key lives a minute longer.
  it("a key written under an injected clock lives 60 s past its state; under Redis's clock it does not", async () => {
    const ttlAfter = async (now: string) => {
      const key = `${randomPrefix()}:{q}:tb`;
      // one token bucket of burst 2, 1 per 100 ms: its state matters for 200 ms at most
      await redis.eval(
        acquireScript.source,
        3,
        `${key}:call`,
        `${key}:pause`,
        key,
        now,
        "1",
        "0",
        "",
        "1",
        "1",
        "tb",
        "100000",
        "2",
        "0",
        "1",
        "1",
        "1",
        "1",
        "1",
        "0",
        "0",
      );
      return redis.pttl(key);
    };
    expect(await ttlAfter("")).toBeLessThanOrEqual(200);
    const injected = await ttlAfter(String(Date.now() * 1000));
    expect(injected).toBeGreaterThan(60_000);
    expect(injected).toBeLessThanOrEqual(60_200);
  });
});

describe("a call resent after a reconnect, replies remembered", () => {
  it("is answered with the first run's decisions and charges nothing twice", async () => {
    const { RedisStore, quotaKeys } = await import("@sluice/core/adapter");
    const { tokenBucket, slidingWindow } = await import("@sluice/core");
    const store = new RedisStore(
      {
        evalsha: (sha, keys, args) => redis.evalsha(sha, keys.length, ...keys, ...args),
        eval: (source, keys, args) => redis.eval(source, keys.length, ...keys, ...args),
        slotOf: () => 0,
        subscribe: async () => () => {},
      },
      { rememberReplies: true },
    );
    const rules = [tokenBucket({ rate: 10, burst: 3 }), slidingWindow({ limit: 3, window: "1s" })];
    const quota = { keys: quotaKeys(randomPrefix(), "resend", rules), rules };
    const requests = [1, 1].map((cost, i) => ({ id: `resent-${i}`, cost, maxWaitUs: 0, headroomPerMille: 0 }));
    const first = await store.acquire([{ ...quota, requests }], { record: true });
    const resent = await store.acquire([{ ...quota, requests }], { record: true });
    // the same decisions; only where each call places Redis's moment on the local clock differs
    const decided = (calls: typeof first) => calls.map((q) => q.map(({ localNowUs, ...decision }) => decision));
    expect(decided(resent)).toEqual(decided(first));
    // one unit left of three: the resend spent nothing
    const peek = [{ ...quota, requests: [{ id: "", cost: 0, maxWaitUs: 0, headroomPerMille: 0 }] }];
    const state = (await store.acquire(peek, { record: false }))[0]?.[0];
    expect(state?.limits.map((l) => l.remaining)).toEqual([1, 1]);
  });
});

describe("a cancel resent after a reconnect", () => {
  it("refunds once", async () => {
    const { RedisStore, quotaKeys } = await import("@sluice/core/adapter");
    const { fixedWindow } = await import("@sluice/core");
    const store = new RedisStore({
      evalsha: (sha, keys, args) => redis.evalsha(sha, keys.length, ...keys, ...args),
      eval: (source, keys, args) => redis.eval(source, keys.length, ...keys, ...args),
      slotOf: () => 0,
      subscribe: async () => () => {},
    });
    const rules = [fixedWindow({ limit: 5, window: "1h" })];
    const keys = quotaKeys(randomPrefix(), "cancel", rules);
    const request = (id: string) => ({ keys, rules, requests: [{ id, cost: 2, maxWaitUs: 0, headroomPerMille: 0 }] });
    const a = (await store.acquire([request("a")], { record: true }))[0]?.[0];
    await store.acquire([request("b")], { record: true });
    const cancel = { keys, rules, id: "a", cost: 2, slotUs: a?.nowUs ?? 0, resetsUs: [0] };
    await store.cancel(cancel);
    await store.cancel(cancel);
    const peek = [{ keys, rules, requests: [{ id: "", cost: 0, maxWaitUs: 0, headroomPerMille: 0 }] }];
    const state = (await store.acquire(peek, { record: false }))[0]?.[0];
    // b's two units are still counted: the resent cancel gave nothing back twice
    expect(state?.limits[0]?.remaining).toBe(3);
  });
});

describe("cold start", () => {
  it("a new client's first call is one EVAL; then EVALSHA, and EVAL again only on NOSCRIPT", async () => {
    const { RedisStore, quotaKeys } = await import("@sluice/core/adapter");
    const { tokenBucket } = await import("@sluice/core");
    const calls: string[] = [];
    const store = new RedisStore({
      evalsha: (sha, keys, args) => {
        calls.push("evalsha");
        return redis.evalsha(sha, keys.length, ...keys, ...args);
      },
      eval: (source, keys, args) => {
        calls.push("eval");
        return redis.eval(source, keys.length, ...keys, ...args);
      },
      slotOf: () => 0,
      subscribe: async () => () => {},
    });
    const rules = [tokenBucket({ rate: 100 })];
    const quota = { keys: quotaKeys(randomPrefix(), "cold", rules), rules };
    const request = (id: string) => [{ ...quota, requests: [{ id, cost: 1, maxWaitUs: 0, headroomPerMille: 0 }] }];
    await store.acquire(request("c1"), { record: true });
    await store.acquire(request("c2"), { record: true });
    await redis.script("FLUSH");
    await store.acquire(request("c3"), { record: true });
    expect(calls).toEqual(["eval", "evalsha", "evalsha", "eval"]);
  });
});
