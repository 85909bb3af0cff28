import { slidingWindow } from "@sluice/core";
import { quotaKeys } from "@sluice/core/adapter";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { worstWindow } from "../../tools/worst-window.js";
import { randomPrefix } from "../support/redis-clients.js";
import { OwnRedis } from "./support/redis-process.js";
import { Worker } from "./support/workers.js";

// Worker processes share slidingWindow(LIMIT per WINDOW_MS) through a redis-server that is
// SIGKILLed mid-run and started again on the same port: either losing every key (no
// persistence) or keeping them (AOF, fsync always). The script cache is lost either way.
const LIMIT = 20;
// The window outlasts the outage, so a restart that loses state shows in one window.
const WINDOW_MS = 3000;
const RUN_MS = 4500;
const KILL_AT_MS = 1500;
const OUTAGE_MS = 500;

const servers: OwnRedis[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

async function runAcrossRestart(args: string[]) {
  const server = await OwnRedis.start({ args });
  servers.push(server);
  const env = {
    MODE: "loop",
    REDIS_URL: server.url,
    PREFIX: randomPrefix(),
    QUOTA: "restart",
    LIMIT: String(LIMIT),
    WINDOW_MS: String(WINDOW_MS),
    TIMEOUT_MS: "300",
    DURATION_MS: String(RUN_MS),
    IN_FLIGHT: "3",
    MAX_WAIT_MS: "100",
  };
  const workers = [Worker.spawn(env), Worker.spawn(env)];
  try {
    await Promise.all(workers.map((w) => w.line((l) => l.ready === true)));
    for (const w of workers) w.go();
    await new Promise((resolve) => setTimeout(resolve, KILL_AT_MS));
    const killedAt = Date.now();
    await server.down("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    // Workers may reconnect before up() has seen its own PING answered: count from the start.
    const upAt = Date.now();
    await server.up();
    const exits = await Promise.all(workers.map((w) => w.exited));
    const rule = slidingWindow({ limit: LIMIT, window: WINDOW_MS });
    const [key] = quotaKeys(env.PREFIX, env.QUOTA, [rule]).limits as [string];
    const redis = new Redis(server.url);
    const recordedAfter = await redis.zcount(key, String(upAt * 1000), "+inf");
    redis.disconnect();
    const lines = workers.flatMap((w) => w.lines);
    const times = lines.flatMap((l) => (typeof l.at === "number" ? [l.at] : []));
    const errors = lines.flatMap((l) => (typeof l.error === "string" ? [l.error] : []));
    const unavailable = errors.filter((e) => e === "STORE_UNAVAILABLE").length;
    const crashes = lines.filter((l) => "crash" in l);
    // Recovered: the first call after the restart that Redis answered (admitted or denied).
    const answered = lines.filter((l) => typeof l.t === "number" && l.t > upAt && l.error !== "STORE_UNAVAILABLE");
    const firstAfter = Math.min(...answered.map((l) => l.t as number));
    return {
      exits,
      crashes,
      errors: new Set(errors),
      unavailable,
      admitted: times.length,
      before: times.filter((t) => t < killedAt).length,
      after: times.filter((t) => t > upAt).length,
      recordedAfter,
      // Calls still failing once Redis answered again plus the timeout they may have been waiting out.
      lateUnavailable: lines.filter((l) => l.error === "STORE_UNAVAILABLE" && (l.t as number) > firstAfter + 300)
        .length,
      recoveryMs: firstAfter - upAt,
      worst: worstWindow(times, WINDOW_MS),
    };
  } finally {
    for (const w of workers) w.kill();
  }
}

describe("Redis restarts mid-run", () => {
  it("losing its keys: workers recover alone; the quota is spent again once (measured)", async () => {
    const run = await runAcrossRestart([]);
    console.info("[fault] restart, keys lost:", JSON.stringify({ ...run, errors: [...run.errors] }));
    expect(run.crashes).toEqual([]);
    expect(run.exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    expect([...run.errors].filter((code) => code !== "STORE_UNAVAILABLE" && code !== "QUOTA_EXCEEDED")).toEqual([]);
    expect(run.unavailable).toBeGreaterThan(0);
    expect(run.before).toBe(LIMIT);
    // Redis recorded a full new window after the restart; calls that had timed out during the
    // outage ran late from ioredis's offline queue and hold part of it, unused by anyone.
    expect(run.recordedAfter).toBe(LIMIT);
    expect(run.after).toBeLessThanOrEqual(LIMIT);
    expect(run.recoveryMs).toBeLessThan(2500);
    expect(run.lateUnavailable).toBe(0);
    // A restart that loses state forgets what the window already spent: one window may admit
    // up to twice the limit, never more (the new state is exact from then on).
    expect(run.worst).toBeGreaterThan(LIMIT);
    expect(run.worst).toBeLessThanOrEqual(2 * LIMIT);
  }, 30_000);

  it("keeping its keys (AOF): workers recover alone, NOSCRIPT is handled, the limit holds", async () => {
    const run = await runAcrossRestart(["--appendonly", "yes", "--appendfsync", "always"]);
    console.info("[fault] restart, keys kept:", JSON.stringify({ ...run, errors: [...run.errors] }));
    expect(run.crashes).toEqual([]);
    expect(run.exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    expect([...run.errors].filter((code) => code !== "STORE_UNAVAILABLE" && code !== "QUOTA_EXCEEDED")).toEqual([]);
    expect(run.unavailable).toBeGreaterThan(0);
    expect(run.recoveryMs).toBeLessThan(2500);
    expect(run.lateUnavailable).toBe(0);
    // The keys came back: no window holds more than the limit across the restart.
    expect(run.worst).toBe(LIMIT);
  }, 30_000);
});
