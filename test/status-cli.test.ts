import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { concurrency, type Feedback, fixedWindow, slidingWindow, tokenBucket } from "@sluice/core";
import { quotaKeys } from "@sluice/core/adapter";
import { createLimiter } from "@sluice/node";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { formatDuration } from "../packages/node/src/cli/format-duration.js";
import type { StatusReport } from "../packages/node/src/cli/status-report.js";
import { connectCluster, connectRedis, randomPrefix } from "./support/redis-clients.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const bin = `${root}packages/node/src/bin/sluice.ts`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `sluice` as its own process (no REDIS_URL unless given), with its output collected as it comes. */
function start(args: readonly string[], env: Record<string, string> = {}) {
  const { REDIS_URL: _, ...inherited } = process.env;
  const child = spawn(tsx, [bin, ...args], { cwd: root, env: { ...inherited, ...env } });
  const out = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out.stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    out.stderr += chunk;
  });
  const exited = new Promise<Run>((resolve) => child.on("close", (code) => resolve({ code, ...out })));
  return { child, out, exited };
}

const run = (args: readonly string[], env?: Record<string, string>): Promise<Run> => start(args, env).exited;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function keysUnder(redis: Redis, prefix: string): Promise<Buffer[]> {
  const keys: Buffer[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scanBuffer(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next.toString();
    keys.push(...batch);
  } while (cursor !== "0");
  return keys.sort(Buffer.compare);
}

/** Every key under the prefix with its serialized value and absolute expiry (ms, -1 for none). */
async function snapshot(redis: Redis, prefix: string): Promise<Map<string, { dump: string; expireAt: number }>> {
  const keys = await keysUnder(redis, prefix);
  const entries = await Promise.all(
    keys.map(async (key) => {
      const [dump, expireAt] = await Promise.all([redis.dumpBuffer(key), redis.call("PEXPIRETIME", key)]);
      return [key.toString("hex"), { dump: dump?.toString("hex") ?? "", expireAt: Number(expireAt) }] as const;
    }),
  );
  return new Map(entries);
}

/** Keys that changed between two snapshots, leaving out keys that expired on their own meanwhile. */
async function changedKeys(redis: Redis, before: Awaited<ReturnType<typeof snapshot>>, after: typeof before) {
  const [seconds] = await redis.time();
  const nowMs = Number(seconds) * 1000 + 1000;
  const changed: string[] = [];
  for (const [key, was] of before) {
    const is = after.get(key);
    const expired = was.expireAt >= 0 && was.expireAt <= nowMs;
    if (is === undefined ? !expired : is.dump !== was.dump || is.expireAt !== was.expireAt) changed.push(key);
  }
  for (const key of after.keys()) if (!before.has(key)) changed.push(key);
  return changed.map((hex) => Buffer.from(hex, "hex").toString());
}

const READS = new Set(["scan", "type", "get", "zcount", "zcard", "zrange", "hgetall", "lrange", "pttl", "time"]);

const redis = connectRedis();
const other = connectRedis();
const prefix = randomPrefix();
const limiter = createLimiter({ redis, prefix });
const otherLimiter = createLimiter({ redis: other, prefix });
const url = inject("redisUrl");

const odd = "search {v2} 50%7D off\tnow";
const tricky = "odd}:pause {x}";
const oddLimits = [slidingWindow({ limit: 3, window: "30s" }), tokenBucket({ rate: 5, per: "1s", burst: 5 })];
const daily = [
  fixedWindow({ limit: 100, window: "366d" }),
  slidingWindow({ limit: 5000, window: "1h" }),
  concurrency({ limit: 4 }),
];
const learner = "learner";
const reservations = new AbortController();
let reserved: Array<Promise<unknown>> = [];
let learned: Feedback;

beforeAll(async () => {
  const q = limiter.quota(odd, { limits: oddLimits });
  for (let i = 0; i < 3; i++) await q.acquire();
  // Another process reserves two slots ahead (30 s out) and sleeps until them.
  const ahead = otherLimiter.quota(odd, { limits: oddLimits });
  reserved = [1, 2].map(() => ahead.acquire({ maxWait: "60s", signal: reservations.signal }).catch(() => undefined));
  const [logKey] = quotaKeys(prefix, odd, oddLimits).limits;
  await until(async () => (await redis.zcard(logKey as string)) === 5, "the reservations");
  await q.pause("30s");
  await q.note({ type: "rate-limited", status: 429 });
  await q.note({ type: "retry", attempt: 1 });
  await q.note({ type: "rate-limited", status: 503 });
  await limiter.quota("daily", { limits: daily, arrivalMargin: 0, pacing: false }).acquire({ cost: 7 });
  await limiter.quota(tricky, { limits: [tokenBucket({ rate: 1, per: "1m" })] }).acquire();
  // Answered 150 ms after its slot, beyond the 25 ms starting margin: delay spread explains the 429.
  const learning = limiter.quota(learner, { limits: [slidingWindow({ limit: 10, window: "10s" })] });
  const grant = await learning.acquire();
  await new Promise((resolve) => setTimeout(resolve, 150));
  learned = await learning.feedback(grant, { status: 429, headers: { "retry-after": "1" } });
});

afterAll(async () => {
  reservations.abort();
  await Promise.all(reserved);
  limiter.close();
  otherLimiter.close();
  await Promise.all([redis.quit(), other.quit()]);
});

describe("sluice status", () => {
  it("--json shows every quota's limits, use, reservations, pause and 429s, and changes nothing", async () => {
    const before = await snapshot(redis, prefix);
    const monitor = await redis.monitor();
    const seen: string[][] = [];
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args.some((arg) => arg.includes(prefix))) seen.push(args);
    });
    const result = await run(["status", "--url", url, "--prefix", prefix, "--json"]);
    // The monitor sees commands in order: once this one shows up, so have all of the CLI's.
    const marker = `${prefix}:marker`;
    await redis.exists(marker);
    await until(() => seen.some((args) => args.includes(marker)), "the monitor");
    await monitor.disconnect();

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const commands = seen.filter((args) => !args.includes(marker)).map((args) => String(args[0]).toLowerCase());
    expect(commands).toContain("scan");
    expect(commands.filter((command) => !READS.has(command))).toEqual([]);
    expect(await changedKeys(redis, before, await snapshot(redis, prefix))).toEqual([]);

    const report = JSON.parse(result.stdout) as StatusReport;
    expect(report.prefix).toBe(prefix);
    expect(Math.abs(report.redisTime - Date.now())).toBeLessThan(60_000);
    expect(report.quotas.map((q) => q.name)).toEqual(["daily", learner, tricky, odd].sort());
    const byName = new Map(report.quotas.map((q) => [q.name, q]));

    const search = byName.get(odd);
    expect(search?.limits).toEqual([
      expect.objectContaining({
        id: "sw:3:30000000",
        description: "slidingWindow 3 per 30 s",
        rule: { kind: "slidingWindow", precision: "exact", limit: 3, windowUs: 30_000_000 },
        limit: 3,
        used: 3,
        available: 0,
        waiting: 2,
      }),
      expect.objectContaining({
        id: "tb:200000:5",
        description: "tokenBucket 5 per 1 s, burst 5",
        limit: 5,
        used: 5,
        available: 0,
        waiting: expect.any(Number),
      }),
    ]);
    // The reservations moved the bucket's TAT 30 s on, so it reads as units queued beyond the burst.
    expect(search?.limits[1]?.waiting).toBeGreaterThan(100);
    expect(search?.pause?.remainingMs).toBeGreaterThan(0);
    expect(search?.pause?.remainingMs).toBeLessThanOrEqual(30_000);
    expect(search?.pause?.until).toBeCloseTo(report.redisTime + (search?.pause?.remainingMs ?? 0), -2);
    expect(search?.rateLimited.count).toBe(2);
    expect(search?.rateLimited.recent.map(({ type, status, cause }) => ({ type, status, cause }))).toEqual([
      { type: "rate-limited", status: 503, cause: null },
      { type: "rate-limited", status: 429, cause: null },
    ]);
    expect(search?.rateLimited.recent[0]?.at).toBeTypeOf("number");
    // No 429 learned from: the starting margin (25 ms) and the whole of each limit since the state started.
    expect(search?.arrival).toMatchObject({ marginMs: 25, share: 1 });
    expect(search?.arrival?.changedAt).toBe(search?.arrival?.steppedBackAt);
    expect(search?.otherKeys).toEqual([]);

    expect(learned).toMatchObject({ cause: "delay-spread", arrival: { share: 1 } });
    const marginMs = learned.arrival?.marginMs ?? 0;
    expect(marginMs).toBeGreaterThanOrEqual(125);
    const learning = byName.get(learner);
    expect(learning?.arrival).toEqual({
      marginMs,
      share: 1,
      latenessMs: expect.any(Number),
      latenessAt: expect.any(Number),
      changedAt: expect.any(Number),
      steppedBackAt: expect.any(Number),
    });
    // The process reported its lateness first; the margin grew to 1.25 times it.
    expect(learning?.arrival?.latenessMs).toBeGreaterThanOrEqual(100);
    expect(marginMs).toBeGreaterThanOrEqual(1.25 * (learning?.arrival?.latenessMs ?? 0));
    expect(learning?.arrival?.changedAt).toBeGreaterThan(learning?.arrival?.steppedBackAt ?? 0);
    expect(report.redisTime - (learning?.arrival?.changedAt ?? 0)).toBeLessThan(60_000);
    expect(learning?.rateLimited).toEqual({
      count: 1,
      recent: [
        { type: "rate-limited", status: 429, cause: "delay-spread", marginMs, share: 1, at: expect.any(Number) },
      ],
    });
    expect(learning?.otherKeys).toEqual([]);

    expect(byName.get("daily")).toEqual({
      name: "daily",
      limits: [
        expect.objectContaining({ id: "cc:4", description: "concurrency 4", limit: 4, used: 1, waiting: null }),
        expect.objectContaining({ description: "fixedWindow 100 per 366 d", used: 7, available: 93, waiting: 0 }),
        expect.objectContaining({ description: "slidingWindow 5000 per 1 h, 100 buckets", used: 7, waiting: 0 }),
      ],
      pause: null,
      arrival: null,
      rateLimited: { count: 0, recent: [] },
      otherKeys: [],
    });
    expect(byName.get(tricky)?.limits).toEqual([
      expect.objectContaining({ description: "tokenBucket 1 per 1 min, burst 1", used: 1, available: 0, waiting: 0 }),
    ]);
  });

  it("prints an aligned table, one block per quota", async () => {
    const result = await run(["status", "--url", url, "--prefix", prefix]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toContain(`sluice status · prefix "${prefix}"`);
    expect(lines).toContain(JSON.stringify(odd));
    expect(lines).toContain(JSON.stringify(tricky));
    const rows = lines.filter((line) => /^ {2}(limit|slidingWindow|tokenBucket|fixedWindow|concurrency) /.test(line));
    expect(rows.length).toBe(11);
    expect(new Set(rows.map((row) => row.length)).size).toBe(1);
    expect(result.stdout).toMatch(/slidingWindow 3 per 30 s +3\/3 +0 +2\n/);
    expect(result.stdout).toMatch(/concurrency 4 +1\/4 +3 +-\n/);
    expect(result.stdout).toMatch(/paused until \S+ \([\d.]+ s left\)/);
    expect(result.stdout).toMatch(/rate-limited: 2 noted, newest first:\n {4}\S+ 503\n {4}\S+ 429\n/);
    expect(result.stdout).toMatch(
      /"search .*\n(.*\n){4} {2}arrival: margin 25 ms, share 100%, (lateness .+ ago, )?unchanged since it started [\d.]+ \S+ ago\n/,
    );
    const margin = formatDuration((learned.arrival?.marginMs ?? 0) * 1000);
    expect(result.stdout).toMatch(
      new RegExp(
        `  arrival: margin ${margin}, share 100%, lateness [\\d.]+ \\S+ reported [\\d.]+ \\S+ ago, changed [\\d.]+ \\S+ ago\n`,
      ),
    );
    expect(result.stdout).toContain(`rate-limited: 1 noted, newest first:\n`);
    expect(result.stdout).toMatch(new RegExp(` {4}\\S+ 429 delay-spread \\(margin ${margin}, share 100%\\)\n`));
    // The daily quota is exact on Redis's clock: no arrival key, no arrival line.
    expect(result.stdout).toMatch(/slidingWindow 5000 per 1 h, 100 buckets +7\/5000 +\d+ +0\n\n/);
  });

  it("--watch redraws until SIGINT, then exits 0", async () => {
    const watch = start(["status", "--url", url, "--prefix", prefix, "--watch", "0.2"]);
    const frames = () => watch.out.stdout.split("sluice status ·").length - 1;
    await until(() => frames() >= 2, "two frames");
    watch.child.kill("SIGINT");
    const result = await watch.exited;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(frames()).toBeGreaterThanOrEqual(2);
    expect(result.stdout).toContain("every 0.2 s, Ctrl-C to stop");
  });

  it("never prints a password from --url or REDIS_URL", async () => {
    const secret = "pw-Zq81-secret";
    const withPassword = (base: string, username = "") => {
      const parsed = new URL(base);
      parsed.username = username;
      parsed.password = secret;
      return parsed.toString();
    };
    const closedPort = withPassword("redis://127.0.0.1:1");
    const [refused, wrongUser, fromEnv] = await Promise.all([
      run(["status", "--url", closedPort, "--prefix", prefix]),
      run(["status", "--url", withPassword(url, "nobody"), "--prefix", prefix, "--json"]),
      run(["status", "--prefix", prefix], { REDIS_URL: withPassword(url) }),
    ]);
    for (const result of [refused, wrongUser, fromEnv]) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("redis://:***@127.0.0.1:1");
    expect(refused.stderr).toContain("ECONNREFUSED");
    expect(wrongUser.code).toBe(1);
    expect(wrongUser.stderr).toContain("nobody:***@");
    expect(fromEnv.stdout).toContain(":***@");
  });

  it("--cluster scans every master", async () => {
    const cluster = connectCluster();
    const clusterPrefix = randomPrefix();
    const clusterLimiter = createLimiter({ redis: cluster, prefix: clusterPrefix });
    try {
      const names = Array.from({ length: 12 }, (_, i) => `tenant-${i}`);
      const limits = [slidingWindow({ limit: 10, window: "1m" })];
      await Promise.all(names.map((name) => clusterLimiter.quota(name, { limits }).acquire({ cost: 2 })));
      const masters = cluster.nodes("master");
      const holding = await Promise.all(masters.map(async (node) => (await keysUnder(node, clusterPrefix)).length));
      expect(holding.filter((n) => n > 0).length).toBeGreaterThan(1);

      const seeds = inject("redisClusterNodes").map(({ host, port }) => `${host}:${port}`);
      const result = await run(["status", "--cluster", seeds.join(","), "--prefix", clusterPrefix, "--json"]);
      expect(result.stderr).toBe("");
      const report = JSON.parse(result.stdout) as StatusReport;
      expect(report.quotas.map((q) => q.name)).toEqual([...names].sort());
      for (const quota of report.quotas) expect(quota.limits).toMatchObject([{ used: 2, available: 8, waiting: 0 }]);
    } finally {
      clusterLimiter.close();
      await cluster.quit();
    }
  });
});
