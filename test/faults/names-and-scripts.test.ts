import {
  allScripts,
  type LuaScript,
  quotaKeys,
  RedisStore,
  type ScriptClient,
  StoreLimiter,
} from "@sluice/core/adapter";
import { concurrency, createLimiter, fixedWindow, slidingWindow, tokenBucket } from "@sluice/node";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { connectCluster, connectRedis, randomPrefix } from "../support/redis-clients.js";

const cluster = connectCluster();
const redis = connectRedis();
afterAll(async () => {
  await Promise.all([cluster.quit(), redis.quit()]);
});

const names = [
  "{",
  "}",
  "{}",
  "}{",
  "{a}",
  "a{b}c",
  "%7B",
  "%257B",
  "%",
  "with space",
  "new\nline",
  "tab\tand\r\nCRLF",
  "nul\u0000byte",
  "ünïcødé 🚦 名前",
  "x".repeat(10_000),
  `${"{".repeat(5_000)}${"}".repeat(5_000)}`,
];

describe("quota names with any bytes, end to end on the Cluster", () => {
  it("each name is its own quota: no CROSSSLOT, no collision, every method works", async () => {
    const prefix = `${randomPrefix()} odd prefix: é\n`;
    const limiter = createLimiter({ redis: cluster, prefix });
    const limits = [
      slidingWindow({ limit: 3, window: "1m" }),
      tokenBucket({ rate: 1, per: "1m", burst: 5 }),
      fixedWindow({ limit: 4, window: "1m" }),
      concurrency({ limit: 3, lease: "1m" }),
    ];
    // Sequential on purpose: if two names shared a key, the later one would start exhausted.
    for (const name of names) {
      const quota = limiter.quota(name, { limits });
      const decisions = [];
      for (let i = 0; i < 4; i++) decisions.push(await quota.tryAcquire());
      expect(
        decisions.map((d) => d.allowed),
        JSON.stringify(name.slice(0, 20)),
      ).toEqual([true, true, true, false]);
      expect((await quota.state()).limits.map((l) => l.remaining)).toEqual([0, 2, 1, 0]);
      await quota.release(decisions[0] as { lease: string });
      expect((await quota.state()).limits[3]?.remaining).toBe(1);
      const until = await quota.pause("50ms");
      expect((await quota.state()).pausedUntil).toBe(until);
      await quota.reset();
      expect((await quota.state()).limits.map((l) => l.remaining)).toEqual([3, 5, 4, 3]);
      await quota.reset();
    }
  });
});

/** Records every script call the store makes, forwarding it to `redis`. */
class RecordingClient implements ScriptClient {
  readonly calls: Array<{ script: LuaScript; keys: string[]; args: string[] }> = [];
  constructor(readonly redis: Redis) {}
  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const script = allScripts.find((s) => s.sha1 === sha1) as LuaScript;
    this.calls.push({ script, keys: [...keys], args: [...args] });
    return this.redis.evalsha(sha1, keys.length, ...keys, ...args);
  }
  eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    // A client's first call of each script comes as EVAL: record it too.
    const script = allScripts.find((s) => s.source === source) as LuaScript;
    this.calls.push({ script, keys: [...keys], args: [...args] });
    return this.redis.eval(source, keys.length, ...keys, ...args);
  }
  slotOf(): number {
    return 0;
  }
  subscribe(): Promise<() => void> {
    return Promise.resolve(() => {});
  }
}

/** DUMP of each key (null when absent). */
async function snapshot(keys: readonly string[]): Promise<Record<string, string | null>> {
  const dumps = await Promise.all(keys.map((key) => redis.dumpBuffer(key)));
  return Object.fromEntries(keys.map((key, i) => [key, dumps[i]?.toString("base64") ?? null]));
}

// acquire* and cancel take KEYS[1] as a mark (a remembered reply, a done cancel) so that a
// resent call is not run twice: each variant gets a fresh mark key, else it would be answered
// from the mark without being checked at all.
const hasMark = (script: LuaScript): boolean => script.name.startsWith("acquire") || script.name === "cancel";

const replaced = (args: readonly string[], at: number, value: string): string[] =>
  args.map((arg, i) => (i === at ? value : arg));

/** Rejected cancel variants that still wrote their done mark (must stay empty). */
const cancelMarksOnError: string[] = [];

const malformed = ["", "NaN", "nan", "inf", "-inf", "1.5", "1e400", "abc", "-2", "1x"];

describe("the scripts reject malformed ARGV with an error reply and write nothing", () => {
  it("every integer or kind argument of every script, replaced by garbage", async () => {
    const prefix = randomPrefix();
    const client = new RecordingClient(redis);
    const limiter = new StoreLimiter(new RedisStore(client), { prefix: prefix, coalesce: false });
    const limits = [
      tokenBucket({ rate: 1, per: "1m", burst: 5 }),
      slidingWindow({ limit: 5, window: "1m" }),
      slidingWindow({ limit: 5000, window: "1m", precision: "bucketed" }),
      // aligned so that the window ends 30 s from now: its key expires when the window ends,
      // which in a window aligned to the epoch fell during the checks now and then
      fixedWindow({ limit: 5, window: "1m", align: (Date.now() + 30_000) % 60_000 }),
      concurrency({ limit: 10, lease: "1m" }),
    ];
    const quota = limiter.quota("argv", { limits });
    // One quota per kind as well: single-kind quotas may run a script of their own.
    for (const rule of limits) await limiter.quota(`argv-${rule.id}`, { limits: [rule] }).tryAcquire();
    const grant = await quota.acquire();
    for (let i = 0; i < 4; i++) await quota.tryAcquire();
    await quota.release(grant);
    // The sliding window is full: the next acquire reserves a slot a minute ahead; aborting
    // it runs the cancel script.
    const controller = new AbortController();
    const waiting = quota.acquire({ maxWait: "10m", signal: controller.signal });
    const [, logKey] = quotaKeys(prefix, "argv", limits).limits as [string, string];
    // Reserved once the exact window's log holds a sixth entry (five admitted before).
    while ((await redis.zcard(logKey)) < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(waiting).rejects.toThrow();
    // Last, and long: a key that expires during the checks would look like a write.
    await quota.pause("10m");
    const calls = new Map(client.calls.map((call) => [call.script.name, call]));
    expect([...calls.keys()].sort()).toEqual(expect.arrayContaining(["cancel", "pause", "release"]));

    // Quota state: every key the calls name, marks aside (they expire within seconds).
    const stateKeys = [
      ...new Set([...calls.values()].flatMap(({ script, keys }) => (hasMark(script) ? keys.slice(1) : keys))),
    ];
    let before = await snapshot(stateKeys);
    expect(Object.values(before).filter((dump) => dump !== null).length).toBeGreaterThanOrEqual(4);
    let variantCount = 0;
    const accepted: string[] = [];
    let rejected = 0;
    for (const { script, keys, args } of calls.values()) {
      const variants: Array<[string, string[]]> = [[`${script.name}: no ARGV`, []]];
      variants.push([`${script.name}: last ARGV dropped`, args.slice(0, -1)]);
      variants.push([`${script.name}: extra ARGV`, [...args, "1"]]);
      args.forEach((arg, i) => {
        if (/^-?\d+$/.test(arg)) {
          for (const bad of malformed)
            variants.push([`${script.name}: ARGV[${i + 1}] ${arg} -> ${JSON.stringify(bad)}`, replaced(args, i, bad)]);
        } else if (/^(tb|sw|swb|fw|cc)$/.test(arg)) {
          variants.push([`${script.name}: ARGV[${i + 1}] kind ${arg} -> "zz"`, replaced(args, i, "zz")]);
        }
      });
      for (const [label, argv] of variants) {
        const mark = `${keys[0]}:variant-${variantCount++}`;
        const variantKeys = hasMark(script) ? [mark, ...keys.slice(1)] : keys;
        const outcome = await redis.eval(script.source, variantKeys.length, ...variantKeys, ...argv).then(
          () => "ok",
          (error: Error) => error.message,
        );
        if (outcome === "ok") {
          accepted.push(label);
          // The record flag of the batch scripts: anything but "1" means report only, so nothing
          // may be written. (A one-request script's ARGV[2] is remember, where "-<ms>" is valid.)
          if (/^acquire(?!-one).*: ARGV\[2\] /.test(label)) expect(await snapshot(stateKeys), label).toEqual(before);
          before = await snapshot(stateKeys);
          continue;
        }
        rejected++;
        expect(outcome, label).toMatch(/^ERR .*sluice: |^ERR Error running script|^ERR user_script/);
        expect(await snapshot(stateKeys), label).toEqual(before);
        if (hasMark(script) && (await redis.exists(mark)) === 1) {
          if (script.name === "cancel") cancelMarksOnError.push(label);
          else expect.fail(`${label}: rejected, yet its mark was written`);
        }
      }
    }
    const acceptedAt = [...new Set(accepted.map((label) => label.replace(/ [^ ]+ -> .*$/, "")))];
    console.info(
      `[fault] malformed ARGV: ${rejected} rejected, ${accepted.length} accepted at ${JSON.stringify(acceptedAt)}`,
    );
    expect(rejected).toBeGreaterThan(500);
    // Tolerated today (see the report): the record flag (report only), the unused fourth
    // field of token bucket, exact sliding window and concurrency specs (always "0"), and
    // missing or extra trailing ARGV of pause and release. Anything else must be an error.
    const tolerated = (label: string): boolean =>
      /^acquire.*: ARGV\[2\] 1 -> /.test(label) ||
      /: ARGV\[\d+\] 0 -> /.test(label) ||
      /^(pause|release): (extra ARGV|last ARGV dropped)$/.test(label);
    expect(accepted.filter((label) => !tolerated(label))).toEqual([]);
  });

  // BUG (lua/cancel.lua, for the lead): the per-limit `reset` ARGV is parsed inside the refund
  // loop, AFTER `SET KEYS[1] NX PX remember` (and after the refunds of the limits before it).
  // A cancel with a malformed reset is an error reply that has already written its done mark
  // (so the corrected resend refunds nothing) and, from the second limit on, refunded part of
  // the quota: Redis does not roll back a script's writes on error. Fix: parse every reset
  // before the SET NX, as acquire.lua validates everything before its first write.
  it("a rejected cancel writes no done mark", () => {
    expect(cancelMarksOnError).toEqual([]);
  });
});
